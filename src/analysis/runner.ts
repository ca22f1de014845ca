import type { AnalysisRun, Measurement, Metric, MetricResult } from "../model/index.js";
import { comparedRevision } from "./comparison.js";
import { metricAlpha, recordJudgedMeasurement } from "./judged.js";
import { assessMeasurement, type ProviderKind, providerKind } from "./measurement.js";
import type { MeasureContext, MetricProviderPort, ProviderResult } from "./providers/provider.js";
import { dueMetrics } from "./schedule.js";
import {
  emptyMetricResult,
  isDryRun,
  isTerminal,
  recordMeasurement,
  retentionFor,
  runVerdict,
  withVerdict,
} from "./verdict.js";

/** The providers this platform offers, by kind. A metric whose kind is missing gets Error measurements. */
export type ProviderRegistry = Partial<Record<ProviderKind, MetricProviderPort>>;

/** Options for {@link measureDue}. */
export interface MeasureOptions {
  /** Reads the time a measurement finished; without it, `now` is used for both start and finish. */
  clock?: () => Date;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isProviderResult(r: unknown): r is ProviderResult {
  return r !== null && typeof r === "object" && "query" in r;
}

/** Takes one measurement; never throws, whatever the provider does. */
async function measureOne(
  metric: Metric,
  providers: ProviderRegistry,
  ctx: MeasureContext,
  now: Date,
  clock: () => Date,
): Promise<Measurement> {
  const error = (message: string): Measurement => ({
    phase: "Error",
    startedAt: now.toISOString(),
    finishedAt: clock().toISOString(),
    message,
  });
  let kind: ProviderKind;
  try {
    kind = providerKind(metric);
  } catch (err) {
    return error(errorMessage(err));
  }
  const provider = providers[kind];
  if (!provider) return error(`no ${kind} provider is available on this platform`);
  let result: unknown;
  try {
    result = await provider.measure(metric, ctx);
  } catch (err) {
    // Providers should turn failures into { error }; one that throws anyway is still only an Error.
    return error(`the ${kind} provider failed: ${errorMessage(err)}`);
  }
  if (!isProviderResult(result)) return error(`the ${kind} provider returned no result`);
  return assessMeasurement(metric, result, clock(), now);
}

/** The run with a status that has a start time and a result for every metric. */
function started(run: AnalysisRun, now: Date): AnalysisRun {
  const existing = run.status?.metricResults ?? [];
  const metricResults = run.spec.metrics.map(
    (m) => existing.find((r) => r.name === m.name) ?? emptyMetricResult(m, isDryRun(run, m.name)),
  );
  return {
    ...run,
    status: {
      ...run.status,
      phase: run.status?.phase === undefined || run.status.phase === "Pending" ? "Running" : run.status.phase,
      startedAt: run.status?.startedAt ?? now.toISOString(),
      metricResults,
    },
  };
}

/** Sets the run's phase and message from its metrics, and finishedAt once it has a verdict. */
function withRunVerdict(run: AnalysisRun, now: Date): AnalysisRun {
  const verdict = runVerdict(run);
  const { message: _old, ...status } = run.status ?? { phase: "Running" as const, metricResults: [] };
  return {
    ...run,
    status: {
      ...status,
      phase: verdict.phase,
      ...(verdict.message === undefined ? {} : { message: verdict.message }),
      ...(isTerminal(verdict.phase) ? { finishedAt: now.toISOString() } : {}),
    },
  };
}

/**
 * Takes every measurement that is due at `now` (in parallel), assesses and records each, and
 * returns the run with updated metric results and verdict. Provider failures, thrown or returned,
 * become Error measurements. A finished run is returned unchanged; a terminated one is ended.
 */
export async function measureDue(
  run: AnalysisRun,
  providers: ProviderRegistry,
  ctx: MeasureContext,
  now: Date,
  opts: MeasureOptions = {},
): Promise<AnalysisRun> {
  if (isTerminal(run.status?.phase)) return run;
  const current = started(run, now);
  if (current.spec.terminate) return terminateRun(current, now);
  const clock = opts.clock ?? (() => now);
  const due = dueMetrics(current, now);
  const taken = await Promise.all(
    due.map(async (m) => [m.name, await measureOne(m, providers, ctx, now, clock)] as const),
  );
  const byName = new Map(taken);
  const alpha = metricAlpha(current);
  const metricResults: MetricResult[] = (current.status?.metricResults ?? []).map((result) => {
    const m = byName.get(result.name);
    const metric = current.spec.metrics.find((x) => x.name === result.name);
    if (!m || !metric) return result;
    const retention = retentionFor(current, metric.name);
    return metric.judge
      ? recordJudgedMeasurement(result, m, metric, retention, alpha, now, comparedRevision(ctx)?.role)
      : recordMeasurement(result, m, metric, retention);
  });
  return withRunVerdict({ ...current, status: { ...current.status, phase: "Running", metricResults } }, now);
}

/**
 * Ends a run with the verdict its measurements give so far (`spec.terminate`): metrics still
 * running are judged on what they have; a metric never measured counts as Successful.
 */
export function terminateRun(run: AnalysisRun, now: Date): AnalysisRun {
  if (isTerminal(run.status?.phase)) return run;
  const current = started({ ...run, spec: { ...run.spec, terminate: true } }, now);
  const metricResults = (current.status?.metricResults ?? []).map((result) => {
    const metric = current.spec.metrics.find((m) => m.name === result.name);
    return metric && !isTerminal(result.phase) ? withVerdict(result, metric, { terminating: true }) : result;
  });
  return withRunVerdict({ ...current, status: { ...current.status, phase: "Running", metricResults } }, now);
}
