import { type JudgeVerdict, judgeErrorRate, judgeLatency, splitAlpha } from "../judge/index.js";
import {
  type AnalysisRun,
  DEFAULT_ALPHA,
  durationMs,
  type JudgeStatus,
  type Measurement,
  type Metric,
  type MetricResult,
} from "../model/index.js";
import { type ComparedRevision, nameCompared } from "./comparison.js";
import { addLook, canaryRate, isValidReading } from "./evidence.js";

import { recordMeasurement } from "./verdict.js";

/*
 * A judged metric (`judge:`) is decided by the sequential judge in src/judge, not by conditions:
 * every measurement is one look at both revisions' counts; the judge reads all looks so far and
 * says Failed, Successful or not yet. Evidence, not a count of measurements, ends the metric,
 * within the bound the user set (maxDuration, maxRequests).
 */

/** The judged metrics that decide the run (dry-run ones aside): they share the run's alpha. */
export function judgedMetricCount(run: AnalysisRun): number {
  const dry = new Set(run.spec.dryRun.map((d) => d.metricName));
  return run.spec.metrics.filter((m) => m.judge !== undefined && !dry.has(m.name)).length;
}

/** One judged metric's share of the run's false-alarm budget. */
export function metricAlpha(run: AnalysisRun): number {
  return splitAlpha(run.spec.alpha ?? DEFAULT_ALPHA, Math.max(1, judgedMetricCount(run)));
}

/** Calls the judge for the metric's kind of comparison over the stored looks. */
export function runJudge(metric: Metric, status: JudgeStatus, alpha: number): JudgeVerdict | undefined {
  const judge = metric.judge;
  if (!judge || status.looks.length === 0) return undefined;
  if (judge.errorRate) {
    const looks = status.looks.map((l) => ({
      at: l.at,
      canary: { requests: l.canary.requests, errors: l.canary.errors },
      baseline: { requests: l.baseline.requests, errors: l.baseline.errors },
    }));
    return judgeErrorRate(looks, {
      alpha,
      maxRelativeIncrease: judge.errorRate.maxRelativeIncrease,
      maxAbsoluteIncrease: judge.errorRate.maxAbsoluteIncrease,
      minRequests: judge.minRequests,
    });
  }
  if (judge.latency) {
    const looks = status.looks.map((l) => ({
      at: l.at,
      canary: l.canary.buckets ?? [],
      baseline: l.baseline.buckets ?? [],
    }));
    return judgeLatency(looks, {
      alpha,
      quantile: judge.latency.quantile,
      maxRelativeIncrease: judge.latency.maxRelativeIncrease,
      minRequests: judge.minRequests,
    });
  }
  return undefined;
}

/** The judge's verdict; a judge that throws on odd input is read as "not decided", never as a pass. */
function safeJudge(metric: Metric, status: JudgeStatus, alpha: number): JudgeVerdict | undefined {
  try {
    return runJudge(metric, status, alpha);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return {
      outcome: "Running",
      evidence: 0,
      threshold: 1 / alpha,
      effect: { estimate: Number.NaN, lower: Number.NaN, upper: Number.NaN, unit: "points" },
      canary: { requests: 0 },
      baseline: { requests: 0 },
      explanation: `the judge could not read the evidence (${why}); still looking`,
    };
  }
}

/**
 * Canary requests counted since the last counter reset: from the first look at or after the reset
 * (the origin's time). Thinning may have dropped the reset's own look; a later one only undercounts.
 */
export function requestsSinceReset(status: JudgeStatus): number {
  const last = status.looks.at(-1);
  if (!last) return 0;
  if (status.resets === 0 || !status.origin) return last.canary.requests;
  const since = status.looks.find((l) => l.at >= (status.origin?.at ?? 0)) ?? last;
  return last.canary.requests - since.canary.requests;
}

/**
 * Re-judges a metric's evidence at `now` and applies the bound on waiting: undecided at the
 * deadline (maxDuration from the first look) or past maxRequests canary requests ends in the
 * user's onInsufficientEvidence: `abort` is Failed (the rollout rolls back), `pause` is
 * Inconclusive (the rollout pauses for a person). Never Successful without the judge saying so.
 */
export function decide(metric: Metric, status: JudgeStatus, alpha: number, now: Date): JudgeStatus {
  const judge = metric.judge;
  if (!judge || status.outcome !== "Running") return status;
  const startedAt = new Date(status.startedAt ?? now.toISOString());
  const deadline = new Date(startedAt.getTime() + durationMs(judge.maxDuration));
  const verdict = safeJudge(metric, status, alpha);
  const canaryRequests = status.looks.at(-1)?.canary.requests ?? 0;
  const rate = canaryRate(status.looks);
  const next: JudgeStatus = {
    ...status,
    deadline: deadline.toISOString(),
    ...(verdict ? { explanation: verdict.explanation } : {}),
  };
  delete next.moreRequests;
  delete next.requestRate;
  if (verdict?.moreRequests !== undefined && Number.isFinite(verdict.moreRequests))
    next.moreRequests = verdict.moreRequests;
  if (rate !== undefined && Number.isFinite(rate)) next.requestRate = rate;
  if (verdict?.outcome === "Failed") return { ...next, outcome: "Failed" };
  const fresh = requestsSinceReset(status);
  const needed = Math.max(judge.minRequests, 1);
  if (verdict?.outcome === "Successful" && (status.resets === 0 || fresh >= needed))
    return { ...next, outcome: "Successful" };
  if (verdict?.outcome === "Successful") {
    // Right after a reset the window may be thin or partial (a restarted router or Prometheus):
    // promote only once minRequests canary requests have been counted since. A regression still fails.
    next.explanation = `${verdict.explanation}; not promoted yet: ${fresh} of ${needed} canary requests since counters went down`;
    next.moreRequests = needed - fresh;
  }
  const outOfTime = now.getTime() >= deadline.getTime();
  const outOfRequests = judge.maxRequests !== undefined && canaryRequests >= judge.maxRequests;
  if (!outOfTime && !outOfRequests) return { ...next, outcome: "Running" };
  const bound = outOfTime
    ? `maxDuration ${String(judge.maxDuration)} reached at ${deadline.toISOString()}`
    : `maxRequests ${judge.maxRequests} reached (${canaryRequests} canary requests)`;
  const then = judge.onInsufficientEvidence === "abort" ? "aborting" : "pausing until a person promotes or aborts";
  const explanation = `insufficient evidence: ${bound}, ${then} (onInsufficientEvidence: ${judge.onInsufficientEvidence})${next.explanation ? `; last verdict: ${next.explanation}` : ""}`;
  return { ...next, explanation, outcome: judge.onInsufficientEvidence === "abort" ? "Failed" : "Inconclusive" };
}

/**
 * Records a judged metric's measurement: a valid reading becomes a look, the judge decides again
 * (also when the provider failed: the deadline passes regardless), and the measurement shows the
 * verdict at that look. Counters and retention work as for any metric.
 */
export function recordJudgedMeasurement(
  result: MetricResult,
  m: Measurement,
  metric: Metric,
  retention: number,
  alpha: number,
  now: Date,
  compared: ComparedRevision["role"] = "baseline",
): MetricResult {
  let status: JudgeStatus = result.judge ?? { looks: [], resets: 0, outcome: "Running", startedAt: now.toISOString() };
  let reading: unknown;
  if (m.phase !== "Error" && m.phase !== "Inconclusive" && m.value !== undefined) {
    try {
      reading = JSON.parse(m.value);
    } catch {
      reading = undefined;
    }
  }
  const valid = isValidReading(reading);
  if (isValidReading(reading)) status = addLook(status, reading, now.toISOString());
  status = decide(metric, status, alpha, now);
  if (status.explanation !== undefined) status = { ...status, explanation: nameCompared(status.explanation, compared) };
  let measurement: Measurement = m;
  if (m.phase !== "Error" && m.phase !== "Inconclusive") {
    const phase = valid ? (status.outcome === "Running" ? "Running" : status.outcome) : "Inconclusive";
    const message = valid ? status.explanation : "the provider's reading is not a set of counts";
    measurement = { ...m, phase, ...(message === undefined ? {} : { message }) };
  }
  return recordMeasurement({ ...result, judge: status }, measurement, metric, retention);
}
