import type { AnalysisPhase, AnalysisRun, Measurement, Metric, MetricResult } from "../model/index.js";
import { judgedMessage } from "./judge-message.js";
import { summarizeValue } from "./value-summary.js";

/** Measurements kept per metric when the run names no measurementRetention for it. */
export const DEFAULT_RETENTION = 10;

const TERMINAL: ReadonlySet<AnalysisPhase> = new Set(["Successful", "Failed", "Error", "Inconclusive"]);

/** Whether a phase is a final verdict. */
export function isTerminal(phase: AnalysisPhase | undefined): boolean {
  return phase !== undefined && TERMINAL.has(phase);
}

/** Options for {@link metricVerdict}. */
export interface VerdictOptions {
  /** The run is being stopped: decide with the measurements taken so far. */
  terminating?: boolean;
}

/**
 * How many measurements complete a metric: `count`, or one when there is neither count nor
 * interval. Undefined means it measures until the run is terminated (`count` 0 counts as unset).
 */
export function effectiveCount(metric: Metric): number | undefined {
  // A judged metric looks until the judge decides or its bound ends it.
  if (metric.judge) return undefined;
  if (metric.count !== undefined && metric.count > 0) return metric.count;
  return metric.interval === undefined ? 1 : undefined;
}

/** An empty result for a metric that has not been measured yet. */
export function emptyMetricResult(metric: Metric, dryRun: boolean): MetricResult {
  return {
    name: metric.name,
    phase: "Pending",
    dryRun,
    count: 0,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    error: 0,
    consecutiveError: 0,
    consecutiveSuccess: 0,
    measurements: [],
  };
}

/**
 * A metric's phase by Argo's rules, checked in this order: failed > failureLimit -> Failed;
 * inconclusive > inconclusiveLimit -> Inconclusive; consecutiveError > consecutiveErrorLimit ->
 * Error; consecutiveSuccessLimit reached -> Successful; count reached -> Successful. Where Sluice
 * differs, on purpose (only evidence promotes): reaching the count, or being terminated, with
 * measurements (errors included) but no success gives Inconclusive, and so does reaching the count without the
 * consecutiveSuccessLimit streak. A terminal phase is final.
 */
export function metricVerdict(metric: Metric, result: MetricResult, opts: VerdictOptions = {}): AnalysisPhase {
  if (isTerminal(result.phase)) return result.phase;
  const taken = result.count + result.error;
  if (taken === 0) return opts.terminating ? "Successful" : "Pending";
  if (metric.judge) return judgedVerdict(metric, result, opts);
  if (result.failed > metric.failureLimit) return "Failed";
  if (result.inconclusive > metric.inconclusiveLimit) return "Inconclusive";
  if (result.consecutiveError > metric.consecutiveErrorLimit) return "Error";
  const streak = metric.consecutiveSuccessLimit;
  if (streak > 0 && result.consecutiveSuccess >= streak) return "Successful";
  const count = effectiveCount(metric);
  const done = (count !== undefined && result.count >= count) || opts.terminating === true;
  if (!done) return "Running";
  if (streak > 0 && !opts.terminating) return "Inconclusive";
  if (result.successful === 0) return "Inconclusive";
  return "Successful";
}

/**
 * A judged metric's phase: too many provider errors in a row is Error; otherwise the judge's
 * outcome. Stopped while undecided is Inconclusive: a run cut short never promotes on a hunch.
 */
function judgedVerdict(metric: Metric, result: MetricResult, opts: VerdictOptions): AnalysisPhase {
  if (result.consecutiveError > metric.consecutiveErrorLimit) return "Error";
  const outcome = result.judge?.outcome ?? "Running";
  if (outcome !== "Running") return outcome;
  return opts.terminating ? "Inconclusive" : "Running";
}

function conditionText(metric: Metric): string {
  const parts: string[] = [];
  if (metric.successCondition !== undefined) parts.push(`condition ${metric.successCondition}`);
  if (metric.failureCondition !== undefined) parts.push(`failure condition ${metric.failureCondition}`);
  return parts.length > 0 ? parts.join(", ") : "no condition";
}

function lastOf(result: MetricResult, phase: AnalysisPhase): Measurement | undefined {
  for (let i = result.measurements.length - 1; i >= 0; i--) {
    const m = result.measurements[i];
    if (m?.phase === phase) return m;
  }
  return undefined;
}

function times(n: number): string {
  return n === 1 ? "1 time" : `${n} times`;
}

/** Why a metric has its phase, with the numbers: counts, limits, the last value and the condition. */
export function metricMessage(metric: Metric, result: MetricResult, phase: AnalysisPhase): string | undefined {
  if (metric.judge && phase !== "Error") return judgedMessage(metric, result);
  const name = `metric "${metric.name}"`;
  const cond = conditionText(metric);
  switch (phase) {
    case "Failed": {
      const last = lastOf(result, "Failed");
      return `${name} failed ${times(result.failed)} (limit ${metric.failureLimit}): last value ${summarizeValue(metric, last?.value)}, ${cond}`;
    }
    case "Inconclusive": {
      if (result.inconclusive > metric.inconclusiveLimit) {
        const last = lastOf(result, "Inconclusive");
        const why = last?.message ? ` (${last.message})` : "";
        return `${name} was inconclusive ${times(result.inconclusive)} (limit ${metric.inconclusiveLimit}): last value ${summarizeValue(metric, last?.value)}${why}, ${cond}`;
      }
      if (metric.consecutiveSuccessLimit > 0 && result.successful > 0)
        return `${name} took ${result.count} measurements without ${metric.consecutiveSuccessLimit} successes in a row (${result.successful} successful), ${cond}`;
      const why = lastOf(result, "Inconclusive")?.message;
      return `${name} took ${result.count} measurements and none was successful (${result.failed} failed, ${result.inconclusive} inconclusive${why ? `: ${why}` : ""}, ${result.error} errors), ${cond}`;
    }
    case "Error": {
      const last = lastOf(result, "Error");
      return `${name} errored ${times(result.consecutiveError)} in a row (limit ${metric.consecutiveErrorLimit}): ${last?.message ?? "no message"}`;
    }
    case "Successful": {
      if (result.count === 0) return `${name} was stopped before its first measurement`;
      const last = result.measurements.at(-1);
      const streak =
        metric.consecutiveSuccessLimit > 0 && result.consecutiveSuccess >= metric.consecutiveSuccessLimit
          ? `, ${result.consecutiveSuccess} in a row (limit ${metric.consecutiveSuccessLimit})`
          : "";
      return `${name} passed ${result.successful} of ${result.count} measurements${streak}: last value ${summarizeValue(metric, last?.value)}, ${cond}`;
    }
    default:
      return undefined;
  }
}

/**
 * Adds a measurement to a metric's result: updates the counters, trims old measurements to
 * `retention`, and recomputes phase and message. Errors do not count toward `count` (Argo): an
 * outage delays the verdict, it does not use up measurements.
 */
export function recordMeasurement(
  result: MetricResult,
  m: Measurement,
  metric: Metric,
  retention: number = DEFAULT_RETENTION,
): MetricResult {
  const next: MetricResult = { ...result, measurements: [...result.measurements, m].slice(-Math.max(1, retention)) };
  if (m.phase === "Error") {
    next.error++;
    next.consecutiveError++;
    next.consecutiveSuccess = 0;
  } else {
    next.count++;
    next.consecutiveError = 0;
    if (m.phase === "Successful") {
      next.successful++;
      next.consecutiveSuccess++;
    } else {
      next.consecutiveSuccess = 0;
      if (m.phase === "Failed") next.failed++;
      else if (m.phase === "Inconclusive") next.inconclusive++;
    }
  }
  return withVerdict(next, metric);
}

/** Recomputes a result's phase and message, e.g. when the run is terminated. */
export function withVerdict(result: MetricResult, metric: Metric, opts: VerdictOptions = {}): MetricResult {
  const phase = metricVerdict(metric, result, opts);
  const message = metricMessage(metric, result, phase);
  const { message: _old, ...rest } = result;
  return message === undefined ? { ...rest, phase } : { ...rest, phase, message };
}

/** How many measurements the run keeps for a metric. */
export function retentionFor(run: AnalysisRun, metricName: string): number {
  return run.spec.measurementRetention.find((r) => r.metricName === metricName)?.limit ?? DEFAULT_RETENTION;
}

/** Whether a metric is dry-run in this run: recorded, but never part of the run's verdict. */
export function isDryRun(run: AnalysisRun, metricName: string): boolean {
  return run.spec.dryRun.some((d) => d.metricName === metricName);
}

const SEVERITY: Record<AnalysisPhase, number> = {
  Successful: 0,
  Pending: 1,
  Running: 2,
  Inconclusive: 3,
  Error: 4,
  Failed: 5,
};

/**
 * The run's verdict: the worst phase of its metrics, dry-run metrics aside (Failed > Error >
 * Inconclusive > Running > Successful). One metric that ends badly ends the run at once, so a bad
 * canary is rolled back without waiting for the other metrics. The message carries the numbers.
 */
export function runVerdict(run: AnalysisRun): { phase: AnalysisPhase; message?: string } {
  if (run.spec.metrics.length === 0) return { phase: "Error", message: "the analysis run has no metrics" };
  const terminating = run.spec.terminate;
  const results = run.status?.metricResults ?? [];
  let worst: AnalysisPhase = "Successful";
  const byPhase = new Map<AnalysisPhase, string[]>();
  const dryRunNotes: string[] = [];
  for (const metric of run.spec.metrics) {
    const dryRun = isDryRun(run, metric.name);
    const result = results.find((r) => r.name === metric.name) ?? emptyMetricResult(metric, dryRun);
    const phase = metricVerdict(metric, result, { terminating });
    const message = metricMessage(metric, result, phase);
    if (dryRun) {
      // A finished dry-run metric counts as done; an unfinished one still keeps the run going.
      if (phase !== "Successful" && isTerminal(phase) && message) dryRunNotes.push(`dry run: ${message}`);
      if (isTerminal(phase)) continue;
    }
    const effective = phase === "Pending" ? "Running" : phase;
    if (SEVERITY[effective] > SEVERITY[worst]) worst = effective;
    if (message) byPhase.set(effective, [...(byPhase.get(effective) ?? []), message]);
  }
  const parts = [...(byPhase.get(worst) ?? []), ...dryRunNotes];
  if (terminating && parts.length > 0) parts[0] = `terminated: ${parts[0]}`;
  return parts.length > 0 ? { phase: worst, message: parts.join("; ") } : { phase: worst };
}
