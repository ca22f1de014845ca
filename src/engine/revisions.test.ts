import { describe, expect, it } from "vitest";
import { EngineHarness, rolloutManifest, setVersion } from "./testing.js";

const analysis = { analysis: { templates: [{ templateName: "success-rate" }] } };
const canarySteps = [{ setWeight: 25 }, { pause: { duration: "1m" } }, analysis, { setWeight: 50 }, { pause: {} }];

function harness(spec: Record<string, unknown> = { strategy: { canary: { steps: canarySteps } } }) {
  const h = new EngineHarness(rolloutManifest(spec));
  h.settle();
  return h;
}

describe("revisions", () => {
  it("fast rollback inside the window: no steps, no analysis, straight to 100%", () => {
    const h = harness({ rollbackWindow: { revisions: 2 }, strategy: { canary: { steps: canarySteps } } });
    h.autoVerdict.step = { phase: "Successful" };
    h.update((s) => setVersion(s, "v2"));
    h.wake();
    h.command({ type: "promote" });
    expect(h.status.stableRevision).toBe(h.hash(2));
    const runs = h.runs.length;
    h.command({ type: "undo" });
    expect(h.status.phase).toBe("Healthy");
    expect(h.status.fastRollback).toBe(true);
    expect(h.runs).toHaveLength(runs);
    expect(h.hash(3)).toBe(h.versionHash("v1"));
    expect(h.status.history.map((e) => e.number)).toEqual([2, 3]);
    expect(h.reasons().slice(-2)).toEqual(["FastRollback", "RolloutCompleted"]);
  });

  it("an aborted release brought back inside the window is analysed again, not fast-rolled-back", () => {
    const h = harness({ rollbackWindow: { revisions: 3 }, strategy: { canary: { steps: canarySteps } } });
    h.update((s) => setVersion(s, "v2"));
    h.command({ type: "abort" });
    expect(h.status.phase).toBe("Degraded");
    h.update((s) => setVersion(s, "v3"));
    h.command({ type: "abort" });
    h.update((s) => setVersion(s, "v2"));
    expect(h.status.fastRollback).toBe(false);
    expect(h.reasons()).not.toContain("FastRollback");
    expect(h.status.stableRevision).toBe(h.versionHash("v1"));
  });

  it("plain undo after an abort goes back to the last stable revision, not the aborted one before it", () => {
    const h = harness({ strategy: { canary: { steps: canarySteps } } });
    h.update((s) => setVersion(s, "v2"));
    h.command({ type: "abort" });
    h.update((s) => setVersion(s, "v3"));
    h.command({ type: "abort" });
    h.command({ type: "undo" });
    expect(h.status.currentRevision).toBe(h.versionHash("v1"));
    expect(h.status.phase).toBe("Healthy");
  });

  it("outside the window a rollback is a normal rollout", () => {
    const h = harness({ rollbackWindow: { revisions: 1 }, strategy: { canary: { steps: [{ setWeight: 50 }] } } });
    h.update((s) => setVersion(s, "v2"));
    h.update((s) => setVersion(s, "v3"));
    h.update((s) => setVersion(s, "v1"));
    expect(h.status.fastRollback).toBe(false);
    expect(h.reasons()).not.toContain("FastRollback");
    expect(h.reasons().filter((r) => r === "StepAdvanced")).toHaveLength(3);
  });

  it("a template back to stable mid-rollout abandons the canary", () => {
    const h = harness();
    h.update((s) => setVersion(s, "v2"));
    const canary = h.hash(2);
    h.update((s) => setVersion(s, "v1"));
    expect(h.status.phase).toBe("Healthy");
    expect(h.deleted).toEqual([canary]);
    expect(h.status.revisions.map((r) => r.role)).toEqual(["stable"]);
    expect(h.reasons()).toContain("RolloutReverted");
  });

  it("the old stable keeps its replicas, unserved, for scaleDownDelaySeconds", () => {
    const h = harness({ strategy: { canary: { steps: [{ setWeight: 50 }], scaleDownDelaySeconds: 45 } } });
    h.update((s) => setVersion(s, "v2"));
    expect(h.status.revisions.find((r) => r.number === 1)).toMatchObject({
      role: "old",
      weight: 0,
      replicas: 4,
      scaleDownAt: "2025-01-01T00:00:45.000Z",
    });
    expect(h.replicas(1)).toBe(4);
    expect(h.last?.wakeAt?.toISOString()).toBe("2025-01-01T00:00:45.000Z");
    h.advance(44_000);
    expect(h.replicas(1)).toBe(4);
    h.wake();
    expect(h.platform.has(h.hash(1))).toBe(false);
    expect(h.status.revisions.map((r) => r.number)).toEqual([2]);
    expect(h.reasons().at(-1)).toBe("ScaledDown");
  });

  it("keeps revisionHistoryLimit + 1 history entries", () => {
    const h = harness({ revisionHistoryLimit: 2, strategy: { canary: {} } });
    for (const version of ["v2", "v3", "v4", "v5"]) h.update((s) => setVersion(s, version));
    expect(h.status.history.map((e) => e.number)).toEqual([3, 4, 5]);
  });
});
