import { describe, expect, it } from "vitest";
import { Rollout } from "../model/index.js";
import { ControllerMetrics, rolloutLabel } from "./metrics.js";

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

  it("drops every rollout's state series but keeps counters when a replica stops leading", async () => {
    const m = new ControllerMetrics();
    m.observeRollout(
      rollout({ phase: "Degraded", revisions: [{ hash: "a", number: 1, role: "stable", replicas: 1, weight: 100 }] }),
      undefined,
    );
    m.countAbort("web", "UserAbort");
    m.forgetRollouts();
    const text = await m.text();
    expect(text).not.toContain("sluice_rollout_phase{");
    expect(text).not.toContain("sluice_rollout_weight{");
    expect(text).not.toContain("sluice_rollout_current_step{");
    expect(text).toContain('sluice_rollout_aborts_total{rollout="web",reason="UserAbort"} 1');
  });
});

describe("rollout labels on Kubernetes", () => {
  it("qualifies the rollout label with its namespace, so same-named rollouts keep their own series", async () => {
    const metrics = new ControllerMetrics();
    const inNamespace = (ns: string, phase: "Healthy" | "Paused") =>
      Rollout.parse({
        apiVersion: "sluice.dev/v1alpha1",
        kind: "Rollout",
        metadata: { name: "web", namespace: ns },
        spec: {
          replicas: 1,
          template: { spec: { containers: [{ name: "web", image: "web:1" }] } },
          strategy: { canary: { steps: [] } },
        },
        status: { phase },
      });
    metrics.observeRollout(inNamespace("shop", "Healthy"), undefined);
    metrics.observeRollout(inNamespace("blog", "Paused"), undefined);
    const text = await metrics.text();
    expect(text).toContain('sluice_rollout_phase{rollout="shop/web",phase="Healthy"} 1');
    expect(text).toContain('sluice_rollout_phase{rollout="blog/web",phase="Paused"} 1');
    expect(rolloutLabel("web")).toBe("web");
  });
});
