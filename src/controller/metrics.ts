import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { AnalysisRun, Rollout } from "../model/index.js";

const PHASES = ["Progressing", "Paused", "Healthy", "Degraded"] as const;

/** How a notification ended: accepted by its webhook, refused or unreachable, or never sent. */
export type NotificationResult = "sent" | "failed" | "dropped";

/** The controller's own Prometheus metrics, served at the API's /metrics. */
export class ControllerMetrics {
  readonly registry = new Registry();
  private readonly startedAt = new Map<string, number>();
  private readonly weightLabels = new Map<string, { rollout: string; revision: string; role: string }[]>();
  private readonly phase = new Gauge({
    name: "sluice_rollout_phase",
    help: "1 for the phase each rollout is in, 0 for the others",
    labelNames: ["rollout", "phase"],
    registers: [this.registry],
  });
  private readonly step = new Gauge({
    name: "sluice_rollout_current_step",
    help: "Index of the current canary step",
    labelNames: ["rollout"],
    registers: [this.registry],
  });
  private readonly weight = new Gauge({
    name: "sluice_rollout_weight",
    help: "Traffic weight per revision, percent",
    labelNames: ["rollout", "revision", "role"],
    registers: [this.registry],
  });
  private readonly verdicts = new Counter({
    name: "sluice_analysis_verdicts_total",
    help: "Finished analysis metrics by verdict",
    labelNames: ["rollout", "metric", "verdict"],
    registers: [this.registry],
  });
  readonly reconcileSeconds = new Histogram({
    name: "sluice_reconcile_duration_seconds",
    help: "Time to observe, decide and apply one reconcile",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly rolloutSeconds = new Histogram({
    name: "sluice_rollout_duration_seconds",
    help: "Time from the start of a rollout to Healthy or Degraded",
    labelNames: ["outcome"],
    buckets: [10, 30, 60, 120, 300, 600, 1800, 3600, 7200],
    registers: [this.registry],
  });
  private readonly aborts = new Counter({
    name: "sluice_rollout_aborts_total",
    help: "Aborted rollouts by reason",
    labelNames: ["rollout", "reason"],
    registers: [this.registry],
  });
  private readonly notifications = new Counter({
    name: "sluice_notifications_total",
    help: "Notifications of a rollout or a pipeline by outcome: sent, failed (after the retry), or dropped (too many waiting)",
    labelNames: ["rollout", "pipeline", "notification", "result"],
    registers: [this.registry],
  });

  /** Updates the gauges from a rollout's status and counts transitions since `before`. */
  observeRollout(rollout: Rollout, before: Rollout["status"]): void {
    const name = rolloutLabel(rollout.metadata.name, rollout.metadata.namespace);
    const status = rollout.status;
    if (!status) return;
    for (const p of PHASES) this.phase.set({ rollout: name, phase: p }, status.phase === p ? 1 : 0);
    this.step.set({ rollout: name }, status.currentStepIndex ?? 0);
    // Only this rollout's weight series are replaced, so revisions that are gone disappear.
    for (const labels of this.weightLabels.get(name) ?? []) this.weight.remove(labels);
    const labels = status.revisions.map((r) => ({ rollout: name, revision: r.hash, role: r.role }));
    for (const [i, r] of status.revisions.entries()) this.weight.set(labels[i]!, r.weight);
    this.weightLabels.set(name, labels);
    if (status.abort && !before?.abort) {
      const reason = status.conditions.find((c) => c.type === "Progressing")?.reason ?? "RolloutAborted";
      this.countAbort(name, reason);
    }
    // Durations are timed in memory: a restart loses the start of rollouts in flight, which only
    // costs one sample, and keeps status free of bookkeeping for metrics.
    const finished = (p?: string) => p === "Healthy" || p === "Degraded";
    if (!finished(status.phase) && (before === undefined || finished(before.phase)))
      this.startedAt.set(name, Date.now());
    const started = this.startedAt.get(name);
    if (finished(status.phase) && !finished(before?.phase) && started !== undefined) {
      this.rolloutSeconds.observe({ outcome: status.phase }, (Date.now() - started) / 1000);
      this.startedAt.delete(name);
    }
  }

  /** Counts metrics that reached a verdict in this update of a run. */
  observeRun(run: AnalysisRun, before: AnalysisRun | undefined): void {
    const rollout = rolloutLabel(run.metadata.labels?.["sluice.dev/rollout"] ?? "", run.metadata.namespace);
    for (const m of run.status?.metricResults ?? []) {
      const prev = before?.status?.metricResults.find((p) => p.name === m.name);
      const terminal = m.phase !== "Running" && m.phase !== "Pending";
      if (terminal && prev?.phase !== m.phase) this.verdicts.inc({ rollout, metric: m.name, verdict: m.phase });
    }
  }

  /** Counts an abort; the controller calls it directly for a user's `sluice abort`. */
  countAbort(rollout: string, reason: string): void {
    this.aborts.inc({ rollout, reason });
  }

  /** Counts the outcome of one notification. */
  countNotification(rollout: string, notification: string, result: NotificationResult): void {
    this.notifications.inc({ rollout, notification, result });
  }

  /** Counts the outcome of one notification of a pipeline: the same series, labelled `pipeline` instead of `rollout`. */
  countPipelineNotification(pipeline: string, notification: string, result: NotificationResult): void {
    this.notifications.inc({ pipeline, notification, result });
  }

  forget(rollout: string): void {
    for (const p of PHASES) this.phase.remove({ rollout, phase: p });
    this.step.remove({ rollout });
    for (const labels of this.weightLabels.get(rollout) ?? []) this.weight.remove(labels);
    this.weightLabels.delete(rollout);
    this.startedAt.delete(rollout);
  }

  /**
   * Drops every rollout's phase, step and weight series (counters stay). A replica that lost
   * leadership calls it: it no longer observes rollouts, and a frozen Degraded or Paused would
   * keep alerts firing next to the new leader's series.
   */
  forgetRollouts(): void {
    this.phase.reset();
    this.step.reset();
    this.weight.reset();
    this.weightLabels.clear();
    this.startedAt.clear();
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/**
 * The `rollout` label value: the name, or `namespace/name` where rollouts live in namespaces
 * (Kubernetes), so two rollouts of the same name never share a series.
 */
export function rolloutLabel(name: string, namespace?: string): string {
  return namespace ? `${namespace}/${name}` : name;
}
