import type { JudgeStatus, Metric, MetricResult } from "../model/index.js";

function seconds(n: number): string {
  return n < 100 ? `${Math.ceil(n)} s` : `${Math.ceil(n / 60)} min`;
}

/**
 * "about 140 more canary requests, ~70 s at 2 req/s" from the judge's estimate; without one,
 * "at least N more" while the canary is short of minRequests; undefined when nothing can be said.
 */
export function moreRequestsText(status: JudgeStatus, minRequests?: number): string | undefined {
  let more = status.moreRequests;
  let prefix = "about";
  if (more === undefined || !Number.isFinite(more) || more < 0) {
    const seen = status.looks.at(-1)?.canary.requests ?? 0;
    if (minRequests === undefined || seen >= minRequests) return undefined;
    more = minRequests - seen;
    prefix = "at least";
  }
  const n = Math.ceil(more);
  const rate = status.requestRate;
  if (rate === undefined || rate <= 0) return `${prefix} ${n} more canary requests (no canary traffic now)`;
  const r = rate >= 10 ? Math.round(rate) : Math.round(rate * 10) / 10;
  return `${prefix} ${n} more canary requests, ~${seconds(n / rate)} at ${r} req/s`;
}

/**
 * A judged metric's message: the judge's explanation line, and while it runs, how much more
 * evidence it needs and when the bound on waiting ends it.
 */
export function judgedMessage(metric: Metric, result: MetricResult): string | undefined {
  const status = result.judge;
  const name = `metric "${metric.name}"`;
  if (!status) return undefined;
  const parts = [status.explanation ?? (status.looks.length === 0 ? "waiting for a first look" : "judging")];
  if (status.outcome === "Running") {
    const more = moreRequestsText(status, metric.judge?.minRequests);
    if (more) parts.push(more);
    if (status.deadline && metric.judge)
      parts.push(`undecided at ${status.deadline} it will ${metric.judge.onInsufficientEvidence}`);
  }
  if (status.resets > 0) parts.push(`evidence restarted ${status.resets}x after counters went down`);
  return `${name}: ${parts.join("; ")}`;
}
