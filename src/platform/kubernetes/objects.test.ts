import { describe, expect, it } from "vitest";
import type { Rollout } from "../../model/index.js";
import { isNewer, ObjectConversionError, toApiStatus, toResource } from "./objects.js";

const apiRollout = {
  apiVersion: "sluice.dev/v1alpha1",
  kind: "Rollout",
  metadata: {
    name: "web",
    namespace: "shop",
    uid: "u-1",
    resourceVersion: "42",
    generation: 3,
    creationTimestamp: new Date("2026-01-01T00:00:00Z"),
    managedFields: [{ manager: "kubectl" }],
    finalizers: ["x"],
  },
  spec: {
    replicas: 2,
    template: { spec: { containers: [{ name: "web", image: "web:1" }] } },
    strategy: { canary: { steps: [{ setWeight: 20 }] } },
  },
  status: { phase: "Healthy", strategy: "canary", replicas: 3, selector: "sluice.dev/rollout=web" },
};

describe("toResource", () => {
  it("keeps only the metadata the model knows, as strings, and drops the API-only status", () => {
    const r = toResource("Rollout", apiRollout) as Rollout;
    expect(r.metadata).toEqual({
      name: "web",
      namespace: "shop",
      uid: "u-1",
      resourceVersion: "42",
      generation: 3,
      creationTimestamp: "2026-01-01T00:00:00.000Z",
    });
    expect(r.status?.phase).toBe("Healthy");
    expect(r.status).not.toHaveProperty("strategy");
    expect(r.status).not.toHaveProperty("selector");
  });

  it("fills the model's defaults the engine relies on", () => {
    const r = toResource("Rollout", apiRollout) as Rollout;
    expect(r.spec.strategy.canary?.maxSurge).toBe("25%");
  });

  it("refuses an object the schema refuses, naming it and the field", () => {
    const bad = { ...apiRollout, spec: { ...apiRollout.spec, replicas: -1 } };
    expect(() => toResource("Rollout", bad)).toThrow(ObjectConversionError);
    expect(() => toResource("Rollout", bad)).toThrow(/Rollout shop\/web .*spec\.replicas/);
  });
});

describe("toApiStatus", () => {
  it("adds the API-only fields for rollouts only", () => {
    const r = toResource("Rollout", apiRollout);
    expect(toApiStatus("Rollout", r, { phase: "Paused" })).toEqual({
      phase: "Paused",
      strategy: "canary",
      replicas: 0,
      selector: "sluice.dev/rollout=web",
    });
    expect(toApiStatus("AnalysisRun", r, { phase: "Running" })).toEqual({ phase: "Running" });
  });
});

describe("isNewer", () => {
  it.each([
    ["10", "9", true],
    ["9", "10", false],
    ["10", "10", false],
    ["abc", "1", false],
    [undefined, "1", false],
  ])("%s newer than %s: %s", (a, b, want) => {
    expect(isNewer(a, b)).toBe(want);
  });
});
