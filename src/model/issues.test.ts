import { describe, expect, it } from "vitest";
import { z } from "zod";
import { allowedKeysAt, friendlyMessages, suggestion, translateIssues, typeName } from "./issues.js";
import { Rollout } from "./rollout.js";

function issuesOf(schema: z.ZodType, input: unknown) {
  const r = schema.safeParse(input, { error: friendlyMessages });
  if (r.success) throw new Error("expected a failure");
  return translateIssues(r.error.issues, schema, input).map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("suggestion", () => {
  it("proposes a close known name", () => {
    expect(suggestion("replica", ["replicas", "template"])).toBe(' (did you mean "replicas"?)');
    expect(suggestion("SETWEIGHT", ["setWeight", "pause"])).toBe(' (did you mean "setWeight"?)');
  });
  it("stays quiet when nothing is close", () => {
    expect(suggestion("foo", ["replicas", "template"])).toBe("");
    expect(suggestion("ab", ["cd"])).toBe("");
  });
});

describe("typeName", () => {
  it("uses YAML words for collections", () => {
    expect([typeName([]), typeName({}), typeName(null), typeName("x"), typeName(1.5), typeName(2)]).toEqual([
      "list",
      "mapping",
      "null",
      "string",
      "number 1.5",
      "number",
    ]);
  });
});

describe("friendlyMessages", () => {
  const S = z.strictObject({
    n: z.number().int().nonnegative().optional(),
    s: z.string().min(1).optional(),
    list: z.array(z.string()).min(1).optional(),
    e: z.enum(["GET", "POST"]).optional(),
    req: z.string(),
  });
  it("says what was expected and what was found", () => {
    expect(issuesOf(S, { req: 1 })).toEqual(["req: expected string, got number"]);
    expect(issuesOf(S, {})).toEqual(["req: required field is missing"]);
    expect(issuesOf(S, { req: "x", n: -1 })).toEqual(["n: must be at least 0, got -1"]);
    expect(issuesOf(S, { req: "x", s: "" })).toEqual(['s: must not be empty, got ""']);
    expect(issuesOf(S, { req: "x", list: [] })).toEqual(["list: must have at least 1 item"]);
    expect(issuesOf(S, { req: "x", e: "DELETE" })).toEqual(['e: must be one of "GET", "POST", got "DELETE"']);
  });
  it("keeps messages a schema sets itself", () => {
    const T = z.number().max(100, "must be between 0 and 100");
    expect(issuesOf(T, 120)).toEqual([": must be between 0 and 100, got 120"]);
  });
  it("reports each unknown field on its own path with a suggestion", () => {
    expect(issuesOf(S, { req: "x", lst: [], zzz: 1 })).toEqual([
      'lst: unknown field "lst" (did you mean "list"?)',
      'zzz: unknown field "zzz"',
    ]);
  });
});

describe("translateIssues on unions", () => {
  const steps = (s: unknown[]) => ({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "x" },
    spec: { template: { process: { command: "node" } }, strategy: { canary: { steps: s } } },
  });
  const prefix = "spec.strategy.canary.steps";
  const kinds = "setWeight, pause, analysis, setCanaryScale, setHeaderRoute, setMirrorRoute, gate";

  it("reduces a step to the kind the user wrote", () => {
    expect(issuesOf(Rollout, steps([{ pause: { duration: true } }]))).toEqual([
      `${prefix}.0.pause.duration: expected number or string, got boolean`,
    ]);
    expect(issuesOf(Rollout, steps([{ analysis: {} }]))).toEqual([
      `${prefix}.0.analysis.templates: required field is missing`,
    ]);
  });

  it("lists the allowed step kinds when no kind fits", () => {
    expect(issuesOf(Rollout, steps([{ setweight: 1 }]))).toEqual([
      `${prefix}.0.setweight: unknown field "setweight" (did you mean "setWeight"?); expected exactly one of ${kinds}`,
    ]);
    expect(issuesOf(Rollout, steps([{ setWeight: 1, pause: {} }]))).toEqual([
      `${prefix}.0: expected exactly one of ${kinds}; found setWeight and pause`,
    ]);
    expect(issuesOf(Rollout, steps([{}]))).toEqual([`${prefix}.0: expected exactly one of ${kinds}`]);
    expect(issuesOf(Rollout, steps([7]))).toEqual([
      `${prefix}.0: expected a mapping with exactly one of ${kinds}, got number`,
    ]);
  });

  it("names the extra field next to a valid kind without listing kinds", () => {
    expect(issuesOf(Rollout, steps([{ setWeight: 1, foo: 2 }]))).toEqual([`${prefix}.0.foo: unknown field "foo"`]);
  });
});

describe("allowedKeysAt", () => {
  it("walks objects, arrays, defaults and unions", () => {
    expect(allowedKeysAt(Rollout, ["spec"])).toContain("replicas");
    expect(allowedKeysAt(Rollout, ["spec", "strategy", "canary", "steps", 0])).toEqual([
      "setWeight",
      "pause",
      "analysis",
      "setCanaryScale",
      "setHeaderRoute",
      "setMirrorRoute",
      "gate",
    ]);
    expect(allowedKeysAt(Rollout, ["spec", "strategy", "canary", "steps", 0, "setCanaryScale"])).toEqual([
      "replicas",
      "weight",
      "matchTrafficWeight",
    ]);
    expect(allowedKeysAt(Rollout, ["spec", "nope"])).toEqual([]);
  });
});
