import { describe, expect, it } from "vitest";
import { Rollout } from "../model/index.js";
import { commandOutcome } from "./command-outcome.js";

const NOW = new Date("2026-01-01T00:00:00.000Z");

function rollout(status: Record<string, unknown>, spec: Record<string, unknown> = {}): Rollout {
  return Rollout.parse({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "web" },
    spec: {
      replicas: 2,
      template: { process: { command: "node", args: ["v1.js"] } },
      strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
      ...spec,
    },
    status,
  });
}

const healthy = rollout({
  phase: "Healthy",
  currentStepIndex: 2,
  revisions: [{ hash: "aaaa", number: 1, role: "stable", replicas: 2, weight: 100 }],
});
const canary = rollout({
  phase: "Paused",
  currentStepIndex: 1,
  pauseConditions: [{ reason: "CanaryPauseStep", startTime: "2025-12-31T23:59:00.000Z" }],
  revisions: [
    { hash: "aaaa", number: 1, role: "stable", replicas: 2, weight: 80 },
    { hash: "bbbb", number: 2, role: "canary", replicas: 1, weight: 20 },
  ],
});
const aborted = rollout({ ...canary.status, phase: "Degraded", abort: true, pauseConditions: [] });

describe("commandOutcome", () => {
  it("says unchanged for commands the engine ignores in this state", () => {
    expect(commandOutcome(healthy, { type: "promote" }, healthy, NOW)).toBe("unchanged");
    expect(commandOutcome(healthy, { type: "promoteFull" }, healthy, NOW)).toBe("unchanged");
    expect(commandOutcome(healthy, { type: "abort" }, healthy, NOW)).toBe("unchanged");
    expect(commandOutcome(aborted, { type: "abort" }, aborted, NOW)).toBe("unchanged");
    expect(commandOutcome(healthy, { type: "retry" }, healthy, NOW)).toBe("unchanged");
    expect(commandOutcome(healthy, { type: "resume" }, healthy, NOW)).toBe("unchanged");
    const paused = rollout(healthy.status as Record<string, unknown>, { paused: true });
    expect(commandOutcome(paused, { type: "pause" }, paused, NOW)).toBe("unchanged");
    expect(commandOutcome(healthy, { type: "setArgs", args: ["v1.js"] }, healthy, NOW)).toBe("unchanged");
  });

  it("says changed for commands that act", () => {
    expect(commandOutcome(canary, { type: "promote" }, canary, NOW)).toBe("changed");
    expect(commandOutcome(canary, { type: "abort" }, canary, NOW)).toBe("changed");
    expect(commandOutcome(aborted, { type: "retry" }, aborted, NOW)).toBe("changed");
    expect(commandOutcome(healthy, { type: "pause" }, healthy, NOW)).toBe("changed");
    expect(commandOutcome(healthy, { type: "restart" }, healthy, NOW)).toBe("changed");
    expect(commandOutcome(healthy, { type: "setEnv", env: { A: "1" } }, healthy, NOW)).toBe("changed");
  });

  it("judges undo by whether the template changed", () => {
    const reverted = rollout(healthy.status as Record<string, unknown>, {
      template: { process: { command: "node", args: ["v0.js"] } },
    });
    expect(commandOutcome(healthy, { type: "undo", toRevision: 1 }, healthy, NOW)).toBe("unchanged");
    expect(commandOutcome(healthy, { type: "undo" }, reverted, NOW)).toBe("changed");
  });
});
