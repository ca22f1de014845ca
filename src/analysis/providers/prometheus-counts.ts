import { durationMs, type EvidenceLook, type JudgeSpec, type RevisionEvidence } from "../../model/index.js";
import { MAX_JUDGE_BUCKETS } from "../../model/limits.js";
import { comparedRevision } from "../comparison.js";
import type { PrometheusSpec } from "./prometheus.js";
import { askPrometheus } from "./prometheus.js";
import type { MeasureContext, ProviderResult } from "./provider.js";

type Counts = NonNullable<PrometheusSpec["counts"]>;

const REVISION_REF = /\{\{\s*revision\s*\}\}/g;

/** JSON has no infinity: the +Inf bucket is stored with this bound (larger than any latency). */
export const INF_LE = Number.MAX_VALUE;

/** A count query for one revision: `{{revision}}` replaced by its name. */
export function countQuery(query: string, revision: string): string {
  return query.replace(REVISION_REF, revision);
}

const NAME_CHAR = /[A-Za-z0-9_:]/;

/**
 * The first series selector (`name{...}`) in a query, found by a linear scan (the query is user
 * text): its samples' timestamps tell whether the data is fresh. Undefined when there is none.
 */
export function firstSelector(query: string): string | undefined {
  const open = query.indexOf("{");
  if (open < 0) return undefined;
  let start = open;
  while (start > 0 && NAME_CHAR.test(query[start - 1] ?? "")) start--;
  let quote: string | undefined;
  for (let i = open + 1; i < query.length; i++) {
    const ch = query[i];
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'" || ch === "`") quote = ch;
    else if (ch === "}") return query.slice(start, i + 1);
  }
  return undefined;
}

interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** The samples of an instant-vector answer, or why there are none to use. */
export function vectorSamples(data: unknown): Sample[] | { inconclusive: string } | { malformed: string } {
  if (data === null || typeof data !== "object") return { malformed: "no data object" };
  const { resultType, result } = data as { resultType?: unknown; result?: unknown };
  if (resultType === "scalar" && Array.isArray(result)) return [{ labels: {}, value: Number(result[1]) }];
  if (resultType !== "vector" || !Array.isArray(result))
    return { malformed: `a count query must return an instant vector, not ${String(resultType)}` };
  if (result.length === 0) return { inconclusive: "no data (no series, or the series went stale)" };
  const samples: Sample[] = [];
  for (const r of result as { metric?: Record<string, string>; value?: unknown }[]) {
    const v = Array.isArray(r.value) ? Number(r.value[1]) : Number.NaN;
    if (!Number.isFinite(v) || v < 0) return { inconclusive: `a count was ${String(v)}, not a count` };
    samples.push({ labels: r.metric ?? {}, value: v });
  }
  return samples;
}

/** Cumulative `le` buckets from samples labelled `le` (several series with one `le` are summed). */
export function bucketsOf(samples: Sample[]): RevisionEvidence["buckets"] | { inconclusive: string } {
  const byLe = new Map<number, number>();
  for (const s of samples) {
    const raw = s.labels.le;
    if (raw === undefined) return { inconclusive: "a bucket sample has no le label; sum by (le)" };
    const le = raw === "+Inf" ? INF_LE : Number(raw);
    if (!Number.isFinite(le)) return { inconclusive: `bucket le ${raw} is not a number` };
    byLe.set(le, (byLe.get(le) ?? 0) + s.value);
  }
  if (byLe.size > MAX_JUDGE_BUCKETS) return { inconclusive: `more than ${MAX_JUDGE_BUCKETS} buckets; use fewer` };
  return [...byLe.entries()].sort((a, b) => a[0] - b[0]).map(([le, count]) => ({ le, count }));
}

/**
 * Why a revision's data is stale, or undefined when fresh: the newest sample of the requests
 * query's first series selector is older than maxSampleAge. Prometheus keeps answering with the
 * last sample for minutes after a target is lost; those numbers must never count as evidence.
 */
async function staleness(
  spec: PrometheusSpec,
  requestsQuery: string,
  atMs: number,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const selector = firstSelector(requestsQuery);
  if (!selector) return undefined;
  const asked = await askPrometheus(spec, `max(timestamp(${selector}))`, atMs, signal);
  if ("error" in asked) return `cannot tell how fresh the data is (${asked.error})`;
  const samples = vectorSamples(asked.data);
  if (!Array.isArray(samples)) return "no fresh samples (no series, or the series went stale)";
  const newest = Math.max(...samples.map((s) => s.value));
  const ageMs = atMs - newest * 1000;
  const maxMs = durationMs(spec.counts?.maxSampleAge ?? "1m");
  return ageMs > maxMs
    ? `stale data: the newest sample is ${Math.round(ageMs / 1000)} s old (maxSampleAge ${String(spec.counts?.maxSampleAge ?? "1m")})`
    : undefined;
}

/**
 * One look for a judged metric: per revision (canary, then stable as baseline) the cumulative
 * requests and errors (errorRate) or latency buckets (latency) the count queries give. No data or
 * a bad sample is Inconclusive, and no look is taken: a lost scrape target's series go stale and
 * leave the answer empty, so a judge never reads stale counts as new evidence.
 */
export async function measureCounts(
  spec: PrometheusSpec,
  counts: Counts,
  judge: JudgeSpec,
  ctx: MeasureContext,
  now: () => number,
): Promise<ProviderResult> {
  // The baseline revision when the rollout runs one, else stable.
  const stable = comparedRevision(ctx)?.revision;
  const shown = `counts canary=${ctx.canaryRevision}${stable ? ` ${comparedRevision(ctx)?.role}=${stable}` : ""}: ${counts.requests}`;
  if (stable === undefined) return { inconclusive: "no stable revision to compare with", query: shown };
  const second = judge.latency ? counts.buckets : counts.errors;
  if (second === undefined)
    return {
      error: `prometheus counts need ${judge.latency ? "buckets (latency judge)" : "errors (errorRate judge)"}; add it to the metric`,
      query: shown,
    };
  const at = now();
  const read = async (revision: string): Promise<RevisionEvidence | { inconclusive: string } | { error: string }> => {
    const [req, other] = await Promise.all(
      [counts.requests, second].map((q) => askPrometheus(spec, countQuery(q, revision), at, ctx.signal)),
    );
    for (const a of [req, other]) if (a && "error" in a) return { error: a.error };
    const reqSamples = vectorSamples((req as { data: unknown }).data);
    const otherSamples = vectorSamples((other as { data: unknown }).data);
    for (const s of [reqSamples, otherSamples]) {
      if ("malformed" in s) return { error: `prometheus count query for ${revision}: ${s.malformed}; fix the query` };
      if ("inconclusive" in s) return { inconclusive: `${revision}: ${s.inconclusive}` };
    }
    const stale = await staleness(spec, countQuery(counts.requests, revision), at, ctx.signal);
    if (stale) return { inconclusive: `${revision}: ${stale}` };
    const requests = (reqSamples as Sample[]).reduce((n, s) => n + s.value, 0);
    if (judge.latency) {
      const buckets = bucketsOf(otherSamples as Sample[]);
      if (buckets && "inconclusive" in buckets) return { inconclusive: `${revision}: ${buckets.inconclusive}` };
      return { requests, errors: 0, ...(buckets ? { buckets } : {}) };
    }
    return { requests, errors: (otherSamples as Sample[]).reduce((n, s) => n + s.value, 0) };
  };
  const [canary, baseline] = await Promise.all([read(ctx.canaryRevision), read(stable)]);
  for (const r of [canary, baseline]) {
    if (r && "error" in r) return { error: r.error, query: shown };
    if (r && "inconclusive" in r) return { inconclusive: r.inconclusive, query: shown };
  }
  const look: EvidenceLook = { at, canary: canary as RevisionEvidence, baseline: baseline as RevisionEvidence };
  return { value: look, query: shown };
}
