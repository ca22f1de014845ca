import { describe, expect, it } from "vitest";
import { getCondition, setCondition } from "./conditions.js";
import { EngineHarness, rolloutManifest, setVersion } from "./testing.js";

describe("setCondition", () => {
  const t0 = "2025-01-01T00:00:00.000Z";
  const t1 = "2025-01-01T00:05:00.000Z";
  const base = setCondition([], "Available", "True", "AvailableReplicas", "4/4", t0);

  it.each([
    { name: "same status keeps the time, updates the words", status: "True" as const, time: t0 },
    { name: "a new status moves the time", status: "False" as const, time: t1 },
  ])("$name", ({ status, time }) => {
    const next = setCondition(base, "Available", status, "Other", "3/4", t1);
    expect(next).toHaveLength(1);
    expect(getCondition(next, "Available")).toEqual({
      type: "Available",
      status,
      reason: "Other",
      message: "3/4",
      lastTransitionTime: time,
    });
  });

  it("adds a missing type after the others", () => {
    const next = setCondition(base, "Paused", "False", "NotPaused", "", t1);
    expect(next.map((c) => c.type)).toEqual(["Available", "Paused"]);
  });
});

describe("phase and conditions through a rollout", () => {
  it.each([
    {
      name: "healthy",
      act: () => {},
      phase: "Healthy",
      conditions: { Progressing: "True", Healthy: "True", Completed: "True", Paused: "False", Available: "True" },
    },
    {
      name: "paused step",
      act: (h: EngineHarness) => h.update((s) => setVersion(s, "v2")),
      phase: "Paused",
      conditions: { Progressing: "True", Healthy: "False", Completed: "False", Paused: "True", Available: "True" },
    },
    {
      name: "aborted",
      act: (h: EngineHarness) => {
        h.update((s) => setVersion(s, "v2"));
        h.command({ type: "abort" });
      },
      phase: "Degraded",
      conditions: { Progressing: "False", Healthy: "False", Completed: "False", Paused: "False", Available: "True" },
    },
  ])("$name", ({ act, phase, conditions }) => {
    const h = new EngineHarness(
      rolloutManifest({ strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } } }),
    );
    h.settle();
    act(h);
    expect(h.status.phase).toBe(phase);
    expect(Object.fromEntries(h.status.conditions.map((c) => [c.type, c.status]))).toEqual(conditions);
    expect(h.status.message).not.toBe("");
  });
});
