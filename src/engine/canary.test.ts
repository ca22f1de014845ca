import { describe, expect, it } from "vitest";
import { EngineHarness, rolloutManifest, setVersion } from "./testing.js";

const analysis = (name = "success-rate") => ({ analysis: { templates: [{ templateName: name }] } });

function canary(canarySpec: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const h = new EngineHarness(rolloutManifest({ strategy: { canary: canarySpec }, ...extra }));
  h.settle();
  return h;
}

const v2 = (h: EngineHarness) => h.update((s) => setVersion(s, "v2"));

describe("canary steps", () => {
  it("walks a full canary to Healthy, with weights, pauses and analysis in order", () => {
    const h = canary({ steps: [{ setWeight: 25 }, { pause: { duration: "1m" } }, analysis(), { setWeight: 75 }] });
    h.autoVerdict.step = { phase: "Successful" };
    v2(h);
    expect(h.status.phase).toBe("Paused");
    expect([h.weight(1), h.weight(2)]).toEqual([75, 25]);
    expect(h.replicas(2)).toBe(1); // ceil(4 × 25%)
    expect(h.last?.wakeAt?.toISOString()).toBe("2025-01-01T00:01:00.000Z");

    h.wake();
    expect(h.status.phase).toBe("Healthy");
    expect(h.status.stableRevision).toBe(h.hash(2));
    expect([h.weight(1), h.weight(2)]).toEqual([0, 100]);
    expect(h.replicas(2)).toBe(4);
    expect(h.runs.map((r) => [r.name, r.role, r.canaryRevision, r.stableRevision])).toEqual([
      ["web-2-1-step3", "step", h.hash(2), h.hash(1)],
    ]);
    expect(h.reasons()).toEqual([
      "RolloutStarted",
      "RolloutCompleted",
      "RolloutStarted",
      "StepAdvanced",
      "Paused",
      "StepAdvanced",
      "AnalysisRunStarted",
      "AnalysisRunSucceeded",
      "StepAdvanced",
      "StepAdvanced",
      "RolloutCompleted",
    ]);
    expect(h.events.find((e) => e.reason === "StepAdvanced")?.message).toBe("step 1/4 completed: setWeight 25%");
  });

  it("holds an indefinite pause with no wake-up until promote, then finishes the steps", () => {
    const h = canary({ steps: [{ setWeight: 50 }, { pause: {} }, { setWeight: 80 }, { pause: {} }] });
    v2(h);
    expect(h.status.phase).toBe("Paused");
    expect(h.status.pauseConditions.map((p) => p.reason)).toEqual(["CanaryPauseStep"]);
    expect(h.last?.wakeAt).toBeUndefined();
    h.advance(3_600_000);
    expect(h.status.currentStepIndex).toBe(1);

    h.command({ type: "promote" });
    expect(h.status.currentStepIndex).toBe(3);
    expect(h.weight(2)).toBe(80);
    h.command({ type: "promote" });
    expect(h.status.phase).toBe("Healthy");
    expect(h.weight(2)).toBe(100);
  });

  it("promote --full during an analysis step stops the run and goes to 100% once the canary is ready", () => {
    const h = canary({ steps: [{ setWeight: 20 }, analysis(), { setWeight: 50 }, { pause: {} }] });
    h.readyCap[h.versionHash("v2")] = 1;
    v2(h);
    const run = h.run("step");
    expect(h.status.analysisRuns.step).toBe(run);

    h.command({ type: "promoteFull" });
    expect(h.stopped).toEqual([run]);
    expect(h.status.analysisRuns).toEqual({});
    expect(h.status.phase).toBe("Progressing");
    expect(h.replicas(2)).toBe(4);
    expect(h.weight(2)).toBe(20); // traffic waits for the full-size canary

    h.setReadyCap(h.hash(2), undefined);
    expect(h.status.phase).toBe("Healthy");
    expect(h.weight(2)).toBe(100);
    expect(h.runs).toHaveLength(1);
  });

  it("waits at a step until the canary has the replicas it wants ready", () => {
    const h = canary({ steps: [{ setWeight: 50 }, { setWeight: 100 }] });
    h.readyCap[h.versionHash("v2")] = 1;
    v2(h);
    expect(h.status.currentStepIndex).toBe(0);
    expect(h.status.message).toContain("1/2 ready");
    h.setReadyCap(h.hash(2), 2);
    expect(h.status.currentStepIndex).toBe(1);
    expect(h.status.message).toContain("2/4 ready");
    h.setReadyCap(h.hash(2), undefined);
    expect(h.status.phase).toBe("Healthy");
  });

  it.each([
    { phase: "Failed" as const, reason: "AnalysisRunFailed" },
    { phase: "Error" as const, reason: "AnalysisRunError" },
  ])(
    "analysis $phase at step 3 aborts: traffic back, canary scaled down after the abort delay",
    ({ phase, reason }) => {
      const h = canary({
        steps: [{ setWeight: 25 }, { setWeight: 50 }, analysis(), { setWeight: 75 }],
        abortScaleDownDelaySeconds: 10,
      });
      v2(h);
      expect(h.weight(2)).toBe(50);
      const run = h.run("step");
      expect(run).toMatch(/-step3$/);
      h.verdict("step", phase, "success-rate 0.91 < 0.99");
      expect(h.status.phase).toBe("Degraded");
      expect(h.status.abort).toBe(true);
      expect([h.weight(1), h.weight(2)]).toEqual([100, 0]);
      expect(h.replicas(2)).toBe(2);
      const progressing = h.status.conditions.find((c) => c.type === "Progressing");
      expect(progressing).toMatchObject({ status: "False", reason });
      expect(progressing?.message).toContain(run);
      expect(h.status.message).toContain("0.91 < 0.99");
      expect(h.last?.wakeAt?.toISOString()).toBe("2025-01-01T00:00:10.000Z");

      h.wake();
      expect(h.replicas(2)).toBe(0);
      expect(h.status.phase).toBe("Degraded");
      expect(h.reasons().slice(-2)).toEqual(["RolloutAborted", "ScaledDown"]);
      expect(h.status.revisions.find((r) => r.hash === h.hash(2))?.role).toBe("canary");
    },
  );

  it("an inconclusive step analysis pauses; promote skips the step", () => {
    const h = canary({ steps: [{ setWeight: 25 }, analysis(), { setWeight: 50 }] });
    v2(h);
    h.verdict("step", "Inconclusive", "too few requests");
    expect(h.status.phase).toBe("Paused");
    expect(h.status.pauseConditions.map((p) => p.reason)).toEqual(["InconclusiveAnalysis"]);
    expect(h.status.message).toContain("too few requests");
    h.advance(60_000);
    expect(h.status.phase).toBe("Paused");
    h.command({ type: "promote" });
    expect(h.status.phase).toBe("Healthy");
    expect(h.runs).toHaveLength(1);
  });

  it("a new revision mid-rollout supersedes the canary: its run stops and it is deleted", () => {
    const h = canary({ steps: [{ setWeight: 25 }, analysis(), { setWeight: 50 }] });
    v2(h);
    const run = h.run("step");
    const canary2 = h.hash(2);
    h.update((s) => setVersion(s, "v3"));
    expect(h.stopped).toEqual([run]);
    expect(h.deleted).toEqual([canary2]);
    expect(h.status.revisions.map((r) => [r.number, r.role])).toEqual([
      [1, "stable"],
      [3, "canary"],
    ]);
    expect(h.status.currentStepIndex).toBe(1);
    expect(h.run("step")).toBe("web-3-2-step2");
    expect(h.events.filter((e) => e.reason === "RolloutStarted").at(-1)?.message).toContain("superseding revision 2");
  });
});

describe("canary analysis in the background", () => {
  const background = { templates: [{ templateName: "latency" }], startingStep: 1 };

  it("starts at startingStep and is stopped at promotion", () => {
    const h = canary({ steps: [{ setWeight: 25 }, { pause: {} }, { setWeight: 50 }], analysis: background });
    v2(h);
    const run = h.run("background");
    expect(h.runs.map((r) => r.role)).toEqual(["background"]);
    h.command({ type: "promote" });
    expect(h.status.phase).toBe("Healthy");
    expect(h.stopped).toEqual([run]);
  });

  it("a failed background run aborts", () => {
    const h = canary({ steps: [{ setWeight: 25 }, { pause: {} }], analysis: background });
    v2(h);
    h.verdict("background", "Failed", "p99 420ms > 300ms");
    expect(h.status.phase).toBe("Degraded");
    expect(h.weight(2)).toBe(0);
    expect(h.status.message).toContain("p99 420ms > 300ms");
  });

  it("an inconclusive background run pauses; promote starts a fresh one", () => {
    const h = canary({ steps: [{ setWeight: 25 }, { setWeight: 50 }, { pause: {} }], analysis: background });
    h.readyCap[h.versionHash("v2")] = 1;
    v2(h);
    const first = h.run("background");
    expect(h.status.currentStepIndex).toBe(1);
    h.verdict("background", "Inconclusive");
    expect(h.status.phase).toBe("Paused");
    expect(h.status.analysisRuns.background).toBeUndefined();
    h.advance(60_000);
    expect(h.runs).toHaveLength(1);

    h.command({ type: "promote" });
    expect(h.status.currentStepIndex).toBe(1); // a readiness wait is not skipped
    expect(h.run("background")).not.toBe(first);
    expect(h.status.phase).toBe("Progressing");
    h.setReadyCap(h.hash(2), undefined);
    expect(h.status.pauseConditions.map((p) => p.reason)).toEqual(["CanaryPauseStep"]);
  });
});

describe("canary scale and routes", () => {
  it.each([
    { step: { setCanaryScale: { replicas: 1 } }, weight: 0, replicas: 1 },
    { step: { setCanaryScale: { weight: 50 } }, weight: 10, replicas: 2 },
    { step: { setCanaryScale: { matchTrafficWeight: true } }, weight: 10, replicas: 1 },
  ])("setCanaryScale $step.setCanaryScale", ({ step, weight, replicas }) => {
    const steps = weight > 0 ? [{ setWeight: weight }, step, { pause: {} }] : [step, { pause: {} }];
    const h = canary({ steps });
    v2(h);
    expect(h.replicas(2)).toBe(replicas);
    expect(h.weight(2)).toBe(weight);
  });

  it("header and mirror routes go to the canary, and are removed at promotion", () => {
    const match = [{ headerName: "x-canary", headerValue: { exact: "1" } }];
    const h = canary({
      steps: [
        { setHeaderRoute: { name: "hdr", match } },
        { setMirrorRoute: { name: "mirror", match, percentage: 30 } },
        { pause: {} },
        { setHeaderRoute: { name: "hdr" } },
        { pause: {} },
      ],
      stickySession: { cookieName: "sticky" },
    });
    v2(h);
    expect(h.traffic?.headerRoutes).toEqual([{ name: "hdr", revision: h.hash(2), match }]);
    expect(h.traffic?.mirrorRoutes).toEqual([{ name: "mirror", revision: h.hash(2), match, percentage: 30 }]);
    expect(h.traffic?.stickySession).toEqual({ cookieName: "sticky", maxAgeSeconds: 3600 });
    h.command({ type: "promote" });
    expect(h.traffic?.headerRoutes).toEqual([]);
    expect(h.traffic?.mirrorRoutes).toHaveLength(1);
    h.command({ type: "promote" });
    expect(h.status.phase).toBe("Healthy");
    expect(h.traffic?.mirrorRoutes).toEqual([]);
  });

  it("an abort removes managed routes", () => {
    const match = [{ headerName: "x-canary", headerValue: { exact: "1" } }];
    const h = canary({ steps: [{ setHeaderRoute: { name: "hdr", match } }, { pause: {} }] });
    v2(h);
    expect(h.traffic?.headerRoutes).toHaveLength(1);
    h.command({ type: "abort" });
    expect(h.traffic?.headerRoutes).toEqual([]);
  });
});
