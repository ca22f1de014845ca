import { describe, expect, it } from "vitest";
import { Rollout } from "../model/index.js";
import { ControllerMetrics } from "./metrics.js";

const rollout = (status: Record<string, unknown>) =>
  Rollout.parse({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "web" },
    spec: { template: { process: { command: "app" } }, strategy: { canary: { steps: [] } } },
    status,
  });

describe("ControllerMetrics", () => {
  it("exports phase, step, weights, aborts by reason and rollout durations", async () => {
    const m = new ControllerMetrics();
    const healthy = rollout({ phase: "Healthy" });
    const progressing = rollout({
      phase: "Progressing",
      currentStepIndex: 2,
      revisions: [
        { hash: "a", number: 1, role: "stable", replicas: 2, weight: 75 },
        { hash: "b", number: 2, role: "canary", replicas: 1, weight: 25 },
      ],
    });
    const aborted = rollout({
      phase: "Degraded",
      abort: true,
      conditions: [
        { type: "Progressing", status: "False", reason: "AnalysisRunFailed", message: "", lastTransitionTime: "" },
      ],
    });
    m.observeRollout(progressing, healthy.status);
    m.observeRollout(aborted, progressing.status);
    const text = await m.text();
    expect(text).toContain('sluice_rollout_phase{rollout="web",phase="Degraded"} 1');
    expect(text).toContain('sluice_rollout_phase{rollout="web",phase="Progressing"} 0');
    expect(text).toContain('sluice_rollout_aborts_total{rollout="web",reason="AnalysisRunFailed"} 1');
    expect(text).toContain('sluice_rollout_duration_seconds_count{outcome="Degraded"} 1');
    m.observeRollout(progressing, healthy.status);
    expect(await m.text()).toContain('sluice_rollout_weight{rollout="web",revision="b",role="canary"} 25');
  });

  it("keeps each rollout's weights apart and drops a deleted rollout's", async () => {
    const m = new ControllerMetrics();
    const other = { ...rollout({ revisions: [{ hash: "x", number: 1, role: "stable", replicas: 1, weight: 100 }] }) };
    other.metadata = { name: "api" };
    m.observeRollout(
      rollout({ revisions: [{ hash: "a", number: 1, role: "stable", replicas: 1, weight: 100 }] }),
      undefined,
    );
    m.observeRollout(other, undefined);
    let text = await m.text();
    expect(text).toContain('sluice_rollout_weight{rollout="web",revision="a",role="stable"} 100');
    expect(text).toContain('sluice_rollout_weight{rollout="api",revision="x",role="stable"} 100');
    m.forget("web");
    text = await m.text();
    expect(text).not.toContain('rollout="web"');
    m.countAbort("api", "UserAbort");
    expect(await m.text()).toContain('sluice_rollout_aborts_total{rollout="api",reason="UserAbort"} 1');
  });
});
