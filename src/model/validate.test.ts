import { describe, expect, it } from "vitest";
import { RESOURCE_KINDS, validateResource } from "./validate.js";

const rollout = {
  apiVersion: "sluice.dev/v1alpha1",
  kind: "Rollout",
  metadata: { name: "demo" },
  spec: { template: { process: { command: "node" } }, strategy: { canary: { steps: [{ setWeight: 10 }] } } },
};
const messages = (raw: unknown) => validateResource(raw).issues.map((i) => `${i.path.join(".")}: ${i.message}`);

describe("validateResource", () => {
  it("returns the resource parsed, with defaults", () => {
    const v = validateResource(rollout);
    expect(v.issues).toEqual([]);
    if (v.resource?.kind !== "Rollout") throw new Error("expected a Rollout");
    expect(v.resource.spec.replicas).toBe(1);
    expect(v.resource.spec.template.process?.portEnv).toBe("PORT");
    expect(v.resource.spec.strategy.canary?.maxSurge).toBe("25%");
  });

  it("knows the six kinds", () => {
    expect(RESOURCE_KINDS).toEqual([
      "Rollout",
      "AnalysisTemplate",
      "ClusterAnalysisTemplate",
      "AnalysisRun",
      "Pipeline",
      "Release",
    ]);
  });

  it("checks apiVersion and kind before anything else, so foreign manifests get one clear error", () => {
    expect(messages({ ...rollout, apiVersion: "flagger.app/v1beta1", kind: "Canary", spec: 1 })).toEqual([
      'apiVersion: unsupported apiVersion "flagger.app/v1beta1", expected "sluice.dev/v1alpha1"; convert Flagger manifests with "sluice import"',
      'kind: unknown kind "Canary", expected one of Rollout, AnalysisTemplate, ClusterAnalysisTemplate, AnalysisRun, Pipeline, Release',
    ]);
    expect(messages({ ...rollout, apiVersion: "v1" })).toEqual([
      'apiVersion: unsupported apiVersion "v1", expected "sluice.dev/v1alpha1"',
    ]);
    expect(messages({ metadata: {} })).toEqual([
      "apiVersion: required field is missing",
      "kind: required field is missing",
    ]);
    expect(messages({ ...rollout, kind: "analysistemplate" })[0]).toContain('(did you mean "AnalysisTemplate"?)');
  });

  it("treats kinds named after Object's own properties as unknown, not as schemas (found by bench/fuzz-lint.ts)", () => {
    for (const kind of ["constructor", "toString", "__proto__", "hasOwnProperty"])
      expect(messages({ ...rollout, kind })[0]).toMatch(new RegExp(`^kind: unknown kind "${kind}"`));
  });

  it("rejects documents that are not mappings", () => {
    expect(messages("hello")).toEqual([": expected a resource (a mapping with apiVersion and kind), got string"]);
    expect(messages(null)).toEqual([": expected a resource (a mapping with apiVersion and kind), got null"]);
  });

  it("runs cross-field checks only on resources that passed their schema", () => {
    const metric = { name: "m", successCondition: "result > 0", provider: { builtin: {} } };
    const template = { apiVersion: "sluice.dev/v1alpha1", kind: "AnalysisTemplate", metadata: { name: "t" } };
    expect(messages({ ...template, spec: { metrics: [metric, metric] } })).toEqual([
      'spec.metrics.1.name: duplicate metric name "m" (first at index 0)',
    ]);
    expect(validateResource({ ...template, spec: { metrics: [metric, metric] } }).resource).toBeUndefined();
  });
});
