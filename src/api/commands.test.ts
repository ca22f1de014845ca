import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCommand } from "./commands.js";
import { ApiError } from "./errors.js";

function rejects(verb: string, body: unknown): ApiError {
  try {
    parseCommand(verb, body);
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error(`expected ${verb} to be rejected`);
}

describe("parseCommand", () => {
  it("maps the verbs without a body", () => {
    expect(
      ["promote", "promote-full", "abort", "retry", "pause", "resume", "restart"].map((v) =>
        parseCommand(v, undefined),
      ),
    ).toEqual([
      { type: "promote" },
      { type: "promoteFull" },
      { type: "abort" },
      { type: "retry" },
      { type: "pause" },
      { type: "resume" },
      { type: "restart" },
    ]);
  });

  it("maps undo with and without a revision", () => {
    expect(parseCommand("undo", undefined)).toEqual({ type: "undo" });
    expect(parseCommand("undo", {})).toEqual({ type: "undo" });
    expect(parseCommand("undo", { toRevision: 2 })).toEqual({ type: "undo", toRevision: 2 });
    expect(rejects("undo", { toRevision: 0 }).path).toBe("toRevision");
    expect(rejects("undo", { toRevision: 1.5 }).code).toBe("Invalid");
  });

  it("maps set to exactly one change", () => {
    expect(parseCommand("set", { env: { A: "1", B: null } })).toEqual({ type: "setEnv", env: { A: "1", B: null } });
    expect(parseCommand("set", { args: ["--x"] })).toEqual({ type: "setArgs", args: ["--x"] });
    expect(parseCommand("set", { command: "node" })).toEqual({ type: "setCommand", command: "node" });
    expect(parseCommand("set", { image: { app: "ghcr.io/acme/web:2.1" } })).toEqual({
      type: "setImage",
      images: { app: "ghcr.io/acme/web:2.1" },
    });
    expect(parseCommand("set", { command: "node", args: [] })).toEqual({
      type: "setCommand",
      command: "node",
      args: [],
    });
  });

  it("rejects set bodies that do not fit, naming the field", () => {
    expect(rejects("set", {}).message).toMatch(/one of env, args, command or image/);
    expect(rejects("set", { image: {} }).path).toBe("image");
    expect(rejects("set", { image: { app: "" } }).path).toBe("image.app");
    expect(rejects("set", { image: { app: "a b" } }).path).toBe("image.app");
    expect(rejects("set", { image: { app: "x".repeat(1025) } }).path).toBe("image.app");
    expect(rejects("set", { image: { app: "x:1" }, env: { A: "1" } }).path).toBe("env");
    expect(rejects("set", { env: { A: "1" }, args: ["x"] }).path).toBe("env");
    expect(rejects("set", { env: { A: 1 } }).path).toBe("env.A");
    expect(rejects("set", { env: {} }).path).toBe("env");
    expect(rejects("set", { args: ["ok", 2] }).path).toBe("args[1]");
    expect(rejects("set", { command: "" }).path).toBe("command");
    expect(rejects("set", { image: "x" }).path).toBe("image");
    expect(rejects("set", [1]).code).toBe("Invalid");
  });

  it("turns any set image body into a bounded command or an Invalid answer, never a crash", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.dictionary(fc.string(), fc.oneof(fc.string({ maxLength: 1100 }), fc.anything())), fc.anything()),
        (image) => {
          try {
            const command = parseCommand("set", { image });
            if (command.type !== "setImage") throw new Error("expected setImage");
            for (const v of Object.values(command.images)) expect(v.length).toBeLessThanOrEqual(1024);
          } catch (err) {
            expect(err).toBeInstanceOf(ApiError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("answers NotFound for an unknown verb", () => {
    expect(rejects("explode", {}).code).toBe("NotFound");
  });
});
