import { describe, expect, it } from "vitest";
import type { Rollout } from "../../model/index.js";
import { gateRunsOf, observeStage, PIPELINE_LABEL, releasesOf } from "./observe.js";

const rollout = (status: Record<string, unknown> | undefined, generation = 2): Rollout =>
  ({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "web", generation },
    spec: {
      template: { process: { command: "x" }, metadata: { annotations: { "sluice.dev/release": "v2" } } },
    },
    ...(status ? { status: { conditions: [], abort: false, ...status } } : {}),
  }) as unknown as Rollout;

const healthy = {
  type: "Healthy",
  status: "True",
  reason: "",
  message: "",
  lastTransitionTime: "2026-01-01T00:00:05Z",
};

describe("observeStage", () => {
  it("reports a missing rollout", () => {
    expect(observeStage(undefined)).toEqual({ phase: "Progressing", missing: true });
  });
  it("marks a stage in an unreachable cluster with its last known state and when it was read", () => {
    const known = rollout({ phase: "Healthy", observedGeneration: 2, currentRevision: "a", stableRevision: "a" });
    const lastContact = new Date("2026-01-01T00:01:00Z");
    expect(observeStage(known, { cluster: "eu", reachable: false, error: "timeout", lastContact })).toMatchObject({
      release: "v2",
      phase: "Healthy",
      unreachable: { cluster: "eu", reason: "timeout", lastContact: "2026-01-01T00:01:00.000Z" },
    });
    // Never read: not "missing" (that would say the rollout does not exist), only unreachable.
    expect(observeStage(undefined, { cluster: "eu", reachable: false, error: "ECONNREFUSED" })).toEqual({
      phase: "Progressing",
      unreachable: { cluster: "eu", reason: "ECONNREFUSED" },
    });
    expect(observeStage(known, { cluster: "eu", reachable: true }).unreachable).toBeUndefined();
  });
  it("never believes a Healthy older than the spec: it belongs to the release before", () => {
    const stale = rollout({ phase: "Healthy", observedGeneration: 1, currentRevision: "a", stableRevision: "a" });
    expect(observeStage(stale)).toEqual({ release: "v2", phase: "Progressing" });
  });
  it("is Progressing while a canary is still the current revision", () => {
    const moving = rollout({ phase: "Healthy", observedGeneration: 2, currentRevision: "b", stableRevision: "a" });
    expect(observeStage(moving).phase).toBe("Progressing");
  });
  it("counts the soak from when the rollout became Healthy", () => {
    const done = rollout({
      phase: "Healthy",
      observedGeneration: 2,
      currentRevision: "b",
      stableRevision: "b",
      conditions: [healthy],
    });
    expect(observeStage(done)).toEqual({
      release: "v2",
      stableRevision: "b",
      phase: "Healthy",
      healthySince: "2026-01-01T00:00:05Z",
    });
  });
  it("reports an abort with its time", () => {
    const aborted = rollout({
      phase: "Degraded",
      observedGeneration: 2,
      abort: true,
      abortedAt: "2026-01-01T00:01:00Z",
    });
    expect(observeStage(aborted)).toMatchObject({ aborted: true, failedAt: "2026-01-01T00:01:00Z" });
  });
});

describe("releasesOf and gateRunsOf", () => {
  it("orders a pipeline's releases by creation, then name", () => {
    const r = (name: string, pipeline: string, t: string) =>
      ({ metadata: { name, creationTimestamp: t }, spec: { pipeline } }) as never;
    const out = releasesOf("shop", [
      r("b", "shop", "2"),
      r("x", "other", "0"),
      r("a", "shop", "2"),
      r("c", "shop", "1"),
    ]);
    expect(out.map((x) => x.metadata.name)).toEqual(["c", "a", "b"]);
  });
  it("keeps only the pipeline's own gate runs", () => {
    const run = (name: string, pipeline?: string, phase?: string) =>
      ({
        metadata: { name, labels: pipeline ? { [PIPELINE_LABEL]: pipeline } : {} },
        ...(phase ? { status: { phase } } : {}),
      }) as never;
    expect(gateRunsOf("shop", [run("a", "shop", "Successful"), run("b"), run("c", "shop")])).toEqual({
      a: { phase: "Successful" },
      c: { phase: "Pending" },
    });
  });
});
