import { describe, expect, it } from "vitest";
import type { ApiClient } from "../../api/client.js";
import type { Rollout } from "../../model/index.js";
import { STATUS_EXIT, statusCommand, statusJson } from "./status.js";

const rollout = (phase: string, extra: Record<string, unknown> = {}) =>
  ({
    metadata: { name: "web", generation: 2 },
    status: { phase, message: `is ${phase}`, observedGeneration: 2, pauseConditions: [], ...extra },
  }) as unknown as Rollout;

// Only the read this test needs: statusCommand without --watch reads the rollout once.
const apiReturning = (r: Rollout) => ({ get: async () => r }) as unknown as ApiClient;

function capture() {
  const logs: string[] = [];
  return { logs, out: { log: (t: string) => logs.push(t), error: () => {}, isTTY: false } };
}

describe("sluice status -o json", () => {
  it("prints one JSON object with the phase, the step and the exit code it means", async () => {
    const { logs, out } = capture();
    const r = rollout("Degraded", { currentRevision: "2", stableRevision: "1", currentStepIndex: 3 });
    expect(await statusCommand(apiReturning(r), "web", { output: "json" }, out)).toBe(STATUS_EXIT.degraded);
    expect(logs).toHaveLength(1);
    expect(JSON.parse(logs[0] ?? "")).toEqual({
      name: "web",
      phase: "Degraded",
      message: "is Degraded",
      currentRevision: "2",
      stableRevision: "1",
      currentStepIndex: 3,
      paused: [],
      exitCode: 1,
    });
  });

  it("keeps the text line by default", async () => {
    const { logs, out } = capture();
    expect(await statusCommand(apiReturning(rollout("Healthy")), "web", {}, out)).toBe(0);
    expect(logs).toEqual(["web: Healthy — is Healthy"]);
  });

  it("says null, not undefined, for what a new rollout does not have yet", () => {
    const parsed = JSON.parse(statusJson({ metadata: { name: "n" } } as unknown as Rollout, 0));
    expect(parsed).toMatchObject({ phase: "Progressing", currentRevision: null, currentStepIndex: null });
  });
});
