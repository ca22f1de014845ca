import { describe, expect, it } from "vitest";
import { EngineHarness, rolloutManifest, setVersion } from "./testing.js";

const steps = [{ setWeight: 25 }, { analysis: { templates: [{ templateName: "success-rate" }] } }, { setWeight: 50 }];

function started(spec: Record<string, unknown> = { strategy: { canary: { steps, abortScaleDownDelaySeconds: 30 } } }) {
  const h = new EngineHarness(rolloutManifest(spec));
  h.settle();
  h.update((s) => setVersion(s, "v2"));
  return h;
}

describe("abort and retry", () => {
  it("abort -> Degraded -> retry -> Healthy, with the expected events", () => {
    const h = started();
    const firstRun = h.run("step");
    h.command({ type: "abort" });
    expect(h.status).toMatchObject({ phase: "Degraded", abort: true, abortedAt: "2025-01-01T00:00:00.000Z" });
    expect(h.stopped).toEqual([firstRun]);
    expect(h.weight(2)).toBe(0);
    expect(h.status.conditions.find((c) => c.type === "Progressing")).toMatchObject({
      status: "False",
      reason: "RolloutAborted",
    });
    expect(h.rollout.spec.template.process?.args).toEqual(["app.js", "v2"]); // spec is not reverted

    h.wake();
    expect(h.replicas(2)).toBe(0);

    h.advance(5_000);
    h.command({ type: "retry" });
    expect(h.status.phase).toBe("Progressing");
    expect(h.status.abortedAt).toBeUndefined();
    expect(h.weight(2)).toBe(25);
    const secondRun = h.run("step");
    expect(secondRun).not.toBe(firstRun);
    h.verdict("step", "Successful");
    expect(h.status.phase).toBe("Healthy");
    expect(h.reasons().slice(2)).toEqual([
      "RolloutStarted",
      "StepAdvanced",
      "AnalysisRunStarted",
      "RolloutAborted",
      "ScaledDown",
      "RolloutRetried",
      "StepAdvanced",
      "AnalysisRunStarted",
      "AnalysisRunSucceeded",
      "StepAdvanced",
      "StepAdvanced",
      "RolloutCompleted",
    ]);
  });

  it.each([
    { failure: { crashLooping: { message: "exited with code 137 4 times" } }, reason: "CrashLoop" },
    { failure: { neverReady: { message: "not ready after 300s" } }, reason: "NeverReady" },
  ])("a $reason canary aborts with the platform's message", ({ failure, reason }) => {
    const h = started();
    h.failures[h.hash(2)] = failure;
    h.settle();
    expect(h.status.phase).toBe("Degraded");
    const condition = h.status.conditions.find((c) => c.type === "Progressing");
    expect(condition?.reason).toBe(reason);
    expect(condition?.message).toContain(Object.values(failure)[0]?.message);
    expect(condition?.message).toContain(h.hash(2));
    expect(h.events.filter((e) => e.reason === "RolloutAborted")).toHaveLength(1);
  });

  it("abort does nothing when no rollout is in progress", () => {
    const h = new EngineHarness(rolloutManifest({ strategy: { canary: { steps } } }));
    h.settle();
    h.command({ type: "abort" });
    expect(h.status).toMatchObject({ phase: "Healthy", abort: false });
  });

  it("a new revision after an abort starts a fresh rollout", () => {
    const h = started();
    h.command({ type: "abort" });
    h.update((s) => setVersion(s, "v3"));
    expect(h.status).toMatchObject({ phase: "Progressing", abort: false, currentStepIndex: 1 });
    expect(h.status.abortedAt).toBeUndefined();
  });
});
