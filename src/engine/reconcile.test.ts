import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { reconcile } from "./reconcile.js";
import { EngineHarness, rolloutManifest, setVersion } from "./testing.js";

const analysis = { analysis: { templates: [{ templateName: "success-rate" }] } };
const canarySteps = [{ setWeight: 25 }, { pause: { duration: "1m" } }, analysis, { setWeight: 50 }, { pause: {} }];

function harness(spec: Record<string, unknown> = { strategy: { canary: { steps: canarySteps } } }) {
  const h = new EngineHarness(rolloutManifest(spec));
  h.settle();
  return h;
}
const v = (version: string) => (h: EngineHarness) => {
  const next = structuredClone(h.rollout);
  setVersion(next.spec, version);
  h.rollout = next;
};

describe("first revision", () => {
  it("is stable at once and Healthy when all replicas are ready", () => {
    const h = new EngineHarness(rolloutManifest({ strategy: { canary: { steps: canarySteps } } }));
    h.readyCap[h.versionHash("v1")] = 2;
    h.settle();
    expect(h.status).toMatchObject({ phase: "Progressing", currentStepIndex: 5, analysisRunSeq: 0 });
    expect(h.status.revisions).toEqual([
      { hash: h.hash(1), number: 1, role: "stable", replicas: 4, weight: 100, readyReplicas: 2 },
    ]);
    expect(h.status.history).toEqual([{ hash: h.hash(1), number: 1, stable: true }]);
    expect(h.traffic?.weights).toEqual({ [h.hash(1)]: 100 });
    h.setReadyCap(h.hash(1), undefined);
    expect(h.status.phase).toBe("Healthy");
    expect(h.reasons()).toEqual(["RolloutStarted", "RolloutCompleted"]);
  });

  it("deletes revisions the platform runs that status does not know", () => {
    const h = new EngineHarness(rolloutManifest({ strategy: { canary: {} } }));
    h.platform.set("leftover01", { replicas: 2, ready: 2 });
    h.settle();
    expect(h.deleted).toEqual(["leftover01"]);
  });

  it("records metadata.generation as observedGeneration", () => {
    const h = new EngineHarness({
      ...(rolloutManifest({ strategy: { canary: {} } }) as object),
      metadata: { name: "web", generation: 7 },
    });
    h.settle();
    expect(h.status.observedGeneration).toBe(7);
  });
});

/**
 * Each case sets up a state, then makes one change the engine has not seen yet. Reconciling it
 * twice with the same inputs must give the same status, with no events and no new analysis run
 * the second time.
 */
describe("idempotence: same inputs twice", () => {
  const cases: { name: string; spec?: Record<string, unknown>; setup: (h: EngineHarness) => void }[] = [
    { name: "first reconcile", setup: () => {} },
    {
      name: "new template",
      setup: (h) => {
        h.settle();
        v("v2")(h);
      },
    },
    {
      name: "analysis step started",
      setup: (h) => {
        h.settle();
        v("v2")(h);
        h.settle();
        h.now = new Date(h.now.getTime() + 60_000);
      },
    },
    {
      name: "analysis verdict arrives",
      setup: (h) => {
        h.settle();
        h.update(v2);
        h.wake();
        h.analysis[h.run("step")] = { phase: "Successful" };
      },
    },
    {
      name: "analysis failed",
      setup: (h) => {
        h.settle();
        h.update(v2);
        h.wake();
        h.analysis[h.run("step")] = { phase: "Failed", message: "bad" };
      },
    },
    {
      name: "abort command",
      setup: (h) => {
        h.settle();
        h.update(v2);
        h.rollout.status = { ...h.status, abort: true };
      },
    },
    {
      name: "retry command",
      setup: (h) => {
        h.settle();
        h.update(v2);
        h.command({ type: "abort" });
        h.rollout.status = { ...h.status, abort: false };
      },
    },
    {
      name: "promote command",
      setup: (h) => {
        h.settle();
        h.update(v2);
        h.wake();
        h.verdict("step", "Successful");
        h.rollout = { ...h.rollout, status: { ...h.status, currentStepIndex: 5, pauseConditions: [] } };
      },
    },
    {
      name: "old revision past its scale-down",
      setup: (h) => {
        h.settle();
        h.update(v2);
        h.wake();
        h.verdict("step", "Successful");
        h.command({ type: "promote" });
        h.now = new Date(h.now.getTime() + 3_600_000);
      },
    },
    {
      name: "crash loop appears",
      setup: (h) => {
        h.settle();
        h.update(v2);
        h.failures[h.hash(2)] = { crashLooping: { message: "boom" } };
      },
    },
    {
      name: "progress deadline passes",
      setup: (h) => {
        h.readyCap[h.versionHash("v2")] = 0;
        h.settle();
        h.update(v2);
        h.now = new Date(h.now.getTime() + 3_600_000);
      },
    },
    {
      name: "user pause",
      setup: (h) => {
        h.settle();
        h.update(v2);
        h.rollout.spec.paused = true;
      },
    },
    {
      name: "restart",
      setup: (h) => {
        h.settle();
        h.rollout.spec.restartAt = h.now.toISOString();
      },
    },
    {
      name: "blue-green preview ready",
      spec: { strategy: { blueGreen: { prePromotionAnalysis: analysis.analysis, autoPromotionEnabled: false } } },
      setup: (h) => {
        h.settle();
        v("v2")(h);
        h.step();
      },
    },
    {
      name: "rolling update halfway",
      spec: { strategy: { canary: { maxSurge: 1 } } },
      setup: (h) => {
        h.settle();
        v("v2")(h);
        h.step();
        h.step();
      },
    },
  ];
  function v2(spec: EngineHarness["rollout"]["spec"]) {
    setVersion(spec, "v2");
  }

  it.each(cases)("$name", ({ spec, setup }) => {
    const h = new EngineHarness(rolloutManifest(spec ?? { strategy: { canary: { steps: canarySteps } } }));
    setup(h);
    const first = h.reconcileOnce();
    // The first reconcile must have something to do, or the check below proves nothing.
    expect(first.events.length > 0 || !isDeepStrictEqual(first.status, h.rollout.status)).toBe(true);
    const again = reconcile({ ...h.rollout, status: first.status }, h.observation(), h.analysis, h.now);
    expect(again.status).toEqual(first.status);
    expect(again.events).toEqual([]);
    expect(again.actions.filter((a) => a.type === "startAnalysisRun" || a.type === "stopAnalysisRun")).toEqual([]);
    const desired = (r: typeof first) =>
      r.actions.filter((a) => a.type !== "startAnalysisRun" && a.type !== "stopAnalysisRun");
    expect(desired(again)).toEqual(desired(first));
    expect(again.wakeAt).toEqual(first.wakeAt);
  });

  it("keeps lastTransitionTime of conditions when nothing changes", () => {
    const h = harness();
    const before = h.status.conditions;
    h.advance(60_000);
    expect(h.status.conditions).toEqual(before);
  });
});

describe("progress deadline", () => {
  const spec = (abort: boolean) => ({
    progressDeadlineSeconds: 120,
    progressDeadlineAbort: abort,
    strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } },
  });

  it("without abort: Degraded with ProgressDeadlineExceeded, and back to Progressing once replicas move", () => {
    const h = harness(spec(false));
    h.readyCap[h.versionHash("v2")] = 0;
    h.update((s) => setVersion(s, "v2"));
    expect(h.last?.wakeAt?.toISOString()).toBe("2025-01-01T00:02:00.000Z");
    h.wake();
    expect(h.status.phase).toBe("Degraded");
    expect(h.status.abort).toBe(false);
    expect(h.status.conditions.find((c) => c.type === "Progressing")).toMatchObject({
      status: "False",
      reason: "ProgressDeadlineExceeded",
    });
    expect(h.status.message).toContain("0/2 ready");
    expect(h.weight(2)).toBe(50);
    h.setReadyCap(h.hash(2), 1);
    expect(h.status.phase).toBe("Progressing");
    h.setReadyCap(h.hash(2), undefined);
    expect(h.status.phase).toBe("Paused");
    expect(h.reasons().filter((r) => r === "ProgressDeadlineExceeded")).toHaveLength(1);
  });

  it("with abort: the rollout is aborted", () => {
    const h = harness(spec(true));
    h.readyCap[h.versionHash("v2")] = 0;
    h.update((s) => setVersion(s, "v2"));
    h.wake();
    expect(h.status).toMatchObject({ phase: "Degraded", abort: true });
    expect(h.weight(2)).toBe(0);
    expect(h.reasons().slice(-2)).toEqual(["ProgressDeadlineExceeded", "RolloutAborted"]);
  });

  it("does not count while paused", () => {
    const h = harness(spec(false));
    h.update((s) => setVersion(s, "v2"));
    h.advance(3_600_000);
    expect(h.status.phase).toBe("Paused");
  });

  it("does not count while an analysis runs", () => {
    const h = harness({ progressDeadlineSeconds: 60, strategy: { canary: { steps: [analysis] } } });
    h.update((s) => setVersion(s, "v2"));
    h.advance(3_600_000);
    expect(h.status.phase).toBe("Progressing");
  });
});

describe("user commands through status", () => {
  it("pause holds the steps; resume goes on", () => {
    const h = harness({
      strategy: { canary: { steps: [{ setWeight: 25 }, { pause: { duration: 10 } }, { setWeight: 50 }] } },
    });
    h.command({ type: "pause" });
    expect(h.status.phase).toBe("Paused");
    h.update((s) => setVersion(s, "v2"));
    expect(h.status.currentStepIndex).toBe(0);
    expect(h.weight(2)).toBe(25);
    h.advance(60_000);
    expect(h.status.currentStepIndex).toBe(0);
    h.command({ type: "resume" });
    expect(h.status.phase).toBe("Paused"); // now in the 10s pause step
    h.wake();
    expect(h.status.phase).toBe("Healthy");
    expect(h.reasons()).toContain("Resumed");
  });

  it("restart passes restartAt to the current revisions once recorded", () => {
    const h = harness();
    h.update((s) => setVersion(s, "v2"));
    h.command({ type: "restart" });
    const restartAt = h.rollout.spec.restartAt;
    expect(h.status.restartedAt).toBe(restartAt);
    const scaled = h.last?.actions.filter((a) => a.type === "ensureRevision" || a.type === "scaleRevision") ?? [];
    expect(scaled.map((a) => ("restartAt" in a ? a.restartAt : undefined))).toEqual([restartAt, restartAt]);
    expect(h.reasons().filter((r) => r === "Restarted")).toHaveLength(1);
  });
});

describe("pause event wording", () => {
  it.each([
    [30, "for 30s"],
    ["5m", "for 5m"],
  ])("a pause of %s says %s", (duration, words) => {
    const h = harness({ strategy: { canary: { steps: [{ setWeight: 25 }, { pause: { duration } }] } } });
    h.update((s) => setVersion(s, "v2"));
    const paused = h.events.find((e) => e.reason === "Paused");
    expect(paused?.message).toContain(words);
  });
});
