import { describe, expect, it } from "vitest";
import { WorkloadTemplate } from "../model/index.js";
import { canonicalJson, revisionHash } from "./hash.js";

const base = WorkloadTemplate.parse({
  process: { command: "node", args: ["app.js"], env: [{ name: "A", value: "1" }] },
});

describe("canonicalJson", () => {
  it.each([
    { input: { b: 1, a: 2 }, expected: '{"a":2,"b":1}' },
    { input: { a: { d: [3, { z: 1, y: 2 }], c: null } }, expected: '{"a":{"c":null,"d":[3,{"y":2,"z":1}]}}' },
    { input: { a: undefined, b: "x" }, expected: '{"b":"x"}' },
    { input: [1, "two", true], expected: '[1,"two",true]' },
  ])("$expected", ({ input, expected }) => {
    expect(canonicalJson(input)).toBe(expected);
  });
});

describe("revisionHash", () => {
  it("is 10 lowercase hex characters", () => {
    expect(revisionHash(base)).toMatch(/^[0-9a-f]{10}$/);
  });

  it("does not depend on key order", () => {
    const reordered = JSON.parse(
      JSON.stringify({ process: { env: base.process?.env, args: base.process?.args, ...base.process } }),
    );
    expect(revisionHash(reordered)).toBe(revisionHash(base));
  });

  it.each([
    { change: "args", template: { ...base, process: { ...base.process!, args: ["other.js"] } } },
    { change: "env", template: { ...base, process: { ...base.process!, env: [{ name: "A", value: "2" }] } } },
    { change: "labels", template: { ...base, metadata: { labels: { team: "x" } } } },
  ])("changes when $change change", ({ template }) => {
    expect(revisionHash(template)).not.toBe(revisionHash(base));
  });
});
