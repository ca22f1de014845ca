import type { AnalysisRun, Metric, MetricResult } from "../model/index.js";
import { providerKind } from "./measurement.js";
import { nextMeasurementAt } from "./schedule.js";
import { summarizeValue } from "./value-summary.js";
import { effectiveCount, emptyMetricResult, isDryRun, isTerminal } from "./verdict.js";

/** How many of the newest values `describe` shows per metric. */
const SHOWN_VALUES = 5;

function kindOf(metric: Metric): string {
  try {
    return providerKind(metric);
  } catch {
    return "no provider";
  }
}

function conditionLine(metric: Metric): string {
  const parts: string[] = [];
  if (metric.successCondition !== undefined) parts.push(`success when ${metric.successCondition}`);
  if (metric.failureCondition !== undefined) parts.push(`failure when ${metric.failureCondition}`);
  return parts.length > 0 ? `condition: ${parts.join("; ")}` : "condition: none (a boolean result decides)";
}

function valuesLine(metric: Metric, result: MetricResult): string | undefined {
  const shown = result.measurements.slice(-SHOWN_VALUES);
  if (shown.length === 0) return undefined;
  const items = shown.map((m) => `${m.value === undefined ? "-" : summarizeValue(metric, m.value)} (${m.phase})`);
  const older = result.measurements.length - shown.length;
  return `values, oldest first: ${older > 0 ? "..., " : ""}${items.join(", ")}`;
}

function limitsLine(metric: Metric, result: MetricResult): string {
  const parts = [
    `failed ${result.failed}/${metric.failureLimit}`,
    `inconclusive ${result.inconclusive}/${metric.inconclusiveLimit}`,
    `errors in a row ${result.consecutiveError}/${metric.consecutiveErrorLimit}`,
  ];
  if (metric.consecutiveSuccessLimit > 0)
    parts.push(`successes in a row ${result.consecutiveSuccess}/${metric.consecutiveSuccessLimit}`);
  return `limits: ${parts.join(", ")}`;
}

function countLine(metric: Metric, result: MetricResult): string {
  const count = effectiveCount(metric);
  const of = count === undefined ? "until stopped" : `of ${count}`;
  const every = metric.interval === undefined ? "" : `, every ${metric.interval}`;
  return `measurements: ${result.count} ${of}${every} (${result.successful} successful, ${result.failed} failed, ${result.inconclusive} inconclusive, ${result.error} errors)`;
}

/**
 * Lines for `sluice describe`: the run's verdict, then per metric its verdict, condition, newest
 * values, counts toward every limit, the exact query and the latest message, so anyone can see
 * why a release was promoted or rolled back.
 */
export function explainRun(run: AnalysisRun): string[] {
  const lines: string[] = [];
  if (run.status?.message) lines.push(`verdict: ${run.status.message}`);
  const started = run.status?.startedAt === undefined ? undefined : new Date(run.status.startedAt);
  for (const metric of run.spec.metrics) {
    const dryRun = isDryRun(run, metric.name);
    const result = run.status?.metricResults.find((r) => r.name === metric.name) ?? emptyMetricResult(metric, dryRun);
    lines.push(
      `metric "${metric.name}" (${kindOf(metric)}): ${result.phase}${dryRun ? " [dry run: not part of the verdict]" : ""}`,
    );
    const detail = [conditionLine(metric), countLine(metric, result), limitsLine(metric, result)];
    const values = valuesLine(metric, result);
    if (values) detail.push(values);
    const last = result.measurements.at(-1);
    if (last?.query) detail.push(`query: ${last.query.replace(/\s+/g, " ").trim()}`);
    if (last?.message) detail.push(`last message: ${last.message}`);
    if (!isTerminal(run.status?.phase) && !run.spec.terminate && started) {
      const next = nextMeasurementAt(metric, result, started);
      if (next) detail.push(`next measurement: ${next.toISOString()}`);
    }
    for (const d of detail) lines.push(`  ${d}`);
  }
  return lines;
}
