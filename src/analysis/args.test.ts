import { describe, expect, it } from "vitest";
import { argReferences, substituteArgs } from "./args.js";

const fail = (name: string, field: string): never => {
  throw new Error(`${field}: ${name}`);
};

describe("substituteArgs", () => {
  it("replaces references in nested strings and arrays, leaving other values alone", () => {
    const provider = {
      web: {
        url: "http://127.0.0.1:{{args.port}}/check?rev={{ args.canary-hash }}",
        headers: [{ key: "Authorization", value: "Bearer {{args.token}}" }],
        timeoutSeconds: 10,
        insecure: false,
      },
    };
    const out = substituteArgs(provider, { port: "8080", "canary-hash": "abc123", token: "t0k" }, "provider", fail);
    expect(out).toEqual({
      web: {
        url: "http://127.0.0.1:8080/check?rev=abc123",
        headers: [{ key: "Authorization", value: "Bearer t0k" }],
        timeoutSeconds: 10,
        insecure: false,
      },
    });
    expect(provider.web.url).toContain("{{args.port}}");
  });

  it("does not expand references inside substituted values", () => {
    expect(substituteArgs("{{args.a}}", { a: "{{args.b}}", b: "x" }, "f", fail)).toBe("{{args.b}}");
  });

  it("names the field of a reference to an unknown argument", () => {
    expect(() =>
      substituteArgs({ command: { command: ["sh", "-c", "echo {{args.nope}}"] } }, {}, "provider", fail),
    ).toThrow("provider.command.command[2]: nope");
  });
});

describe("argReferences", () => {
  it("lists each referenced name once", () => {
    expect(argReferences({ q: "{{args.a}} {{args.b}}", h: ["{{args.a}}"], n: 3 }).sort()).toEqual(["a", "b"]);
    expect(argReferences("no refs {{ other }}")).toEqual([]);
  });
});
