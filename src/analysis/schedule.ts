import { type AnalysisRun, durationMs, type Metric, type MetricResult } from "../model/index.js";
import { effectiveCount, isTerminal } from "./verdict.js";

/** How often a judged metric looks when it names no interval. */
export const JUDGE_INTERVAL = "10s";

/** After an Error measurement, retry this soon (or at the interval, if that is shorter). */
export const ERROR_RETRY_MS = 10_000;

function plus(d: Date, ms: number): Date {
  return new Date(d.getTime() + ms);
}

/**
 * When a metric's next measurement is due: the first at run start plus `initialDelay`; then one
 * `interval` after the previous one finished (at once without an interval, which only happens for
 * a single measurement or a retry); an Error is retried after at most {@link ERROR_RETRY_MS}.
 * Undefined when the metric needs no more measurements.
 */
export function nextMeasurementAt(
  metric: Metric,
  result: MetricResult | undefined,
  runStartedAt: Date,
): Date | undefined {
  if (result && isTerminal(result.phase)) return undefined;
  const count = effectiveCount(metric);
  if (count !== undefined && result && result.count >= count) return undefined;
  const last = result?.measurements.at(-1);
  if (!last) return plus(runStartedAt, metric.initialDelay === undefined ? 0 : durationMs(metric.initialDelay));
  const lastAt = new Date(last.finishedAt ?? last.startedAt);
  // A judged metric keeps looking until it decides; without an interval it looks every 10 s.
  const every = metric.interval ?? (metric.judge ? JUDGE_INTERVAL : undefined);
  const interval = every === undefined ? undefined : durationMs(every);
  if (last.phase === "Error") return plus(lastAt, Math.min(interval ?? ERROR_RETRY_MS, ERROR_RETRY_MS));
  return plus(lastAt, interval ?? 0);
}

function startOf(run: AnalysisRun): Date | undefined {
  const s = run.status?.startedAt ?? run.metadata.creationTimestamp;
  return s === undefined ? undefined : new Date(s);
}

function isActive(run: AnalysisRun): boolean {
  return !isTerminal(run.status?.phase) && !run.spec.terminate;
}

/** The metrics of a run that need a measurement at `now`. A run not started yet starts at `now`. */
export function dueMetrics(run: AnalysisRun, now: Date): Metric[] {
  if (!isActive(run)) return [];
  const started = startOf(run) ?? now;
  const results = run.status?.metricResults ?? [];
  return run.spec.metrics.filter((m) => {
    const at = nextMeasurementAt(
      m,
      results.find((r) => r.name === m.name),
      started,
    );
    return at !== undefined && at.getTime() <= now.getTime();
  });
}

/**
 * The earliest instant any metric of the run needs measuring, or undefined when the run is
 * finished, being terminated, or has no known start (then it is due as soon as it is looked at).
 */
export function runWakeAt(run: AnalysisRun): Date | undefined {
  if (!isActive(run)) return undefined;
  const started = startOf(run);
  if (!started) return undefined;
  const results = run.status?.metricResults ?? [];
  let earliest: Date | undefined;
  for (const m of run.spec.metrics) {
    const at = nextMeasurementAt(
      m,
      results.find((r) => r.name === m.name),
      started,
    );
    if (at && (!earliest || at < earliest)) earliest = at;
  }
  return earliest;
}
