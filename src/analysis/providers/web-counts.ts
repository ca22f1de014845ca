import {
  durationMs,
  type EvidenceLook,
  type JudgeSpec,
  type Metric,
  type RevisionEvidence,
} from "../../model/index.js";
import { MAX_JUDGE_BUCKETS } from "../../model/limits.js";
import { comparedRevision } from "../comparison.js";
import { JsonPathSyntaxError, parseJsonPath, selectJsonPath } from "./json-path.js";
import { INF_LE } from "./prometheus-counts.js";
import type { MeasureContext, ProviderResult } from "./provider.js";

type WebSpec = NonNullable<Metric["provider"]["web"]>;
type WebCounts = NonNullable<WebSpec["counts"]>;

const REVISION_REF = /\{\{\s*revision\s*\}\}/g;

/** The web spec asked about one revision: `{{revision}}` replaced in the url and body. */
export function webSpecFor(spec: WebSpec, revision: string): WebSpec {
  const put = (s: string) => s.replace(REVISION_REF, revision);
  // Inside JSON text the name is put as a JSON string's content, so no name can break the body.
  const inJson = JSON.stringify(revision).slice(1, -1);
  const jsonBody =
    spec.jsonBody === undefined ? undefined : JSON.parse(JSON.stringify(spec.jsonBody).replace(REVISION_REF, inJson));
  return {
    ...spec,
    url: put(spec.url),
    ...(spec.body !== undefined ? { body: put(spec.body) } : {}),
    ...(jsonBody !== undefined ? { jsonBody } : {}),
  };
}

/** What one revision's answer says: its counts, or why they cannot count as evidence. */
export type WebCountsReading = RevisionEvidence | { inconclusive: string } | { error: string };

function select(body: unknown, path: string, field: string): { value: unknown } | { error: string } | { no: string } {
  try {
    const picked = selectJsonPath(body, parseJsonPath(path));
    return "missing" in picked ? { no: `no ${field} at ${path} (${picked.missing})` } : picked;
  } catch (err) {
    const why = err instanceof JsonPathSyntaxError ? err.message : String(err);
    return { error: `counts.${field} ${path} cannot be read: ${why}; fix it` };
  }
}

/** A short, safe rendering of an answer's value for a message (String() throws on `{toString: 0}`). */
function shown(v: unknown): string {
  try {
    return (JSON.stringify(v) ?? typeof v).slice(0, 40);
  } catch {
    return typeof v;
  }
}

/** A count is a finite number ≥ 0 (a numeric string too, as exporters often quote them). */
function asCount(v: unknown): number | undefined {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Milliseconds since the epoch from Unix seconds (number or numeric string) or an RFC 3339 time. */
export function timestampMs(v: unknown): number | undefined {
  const n = asCount(v);
  if (n !== undefined) return n * 1000;
  if (typeof v !== "string" || v.length > 64) return undefined;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : undefined;
}

function bucketList(v: unknown): RevisionEvidence["buckets"] | string {
  if (!Array.isArray(v)) return "buckets is not a list of {le, count}";
  if (v.length > MAX_JUDGE_BUCKETS) return `more than ${MAX_JUDGE_BUCKETS} buckets; use fewer`;
  const out: { le: number; count: number }[] = [];
  for (const b of v) {
    const { le, count } = (b ?? {}) as { le?: unknown; count?: unknown };
    const bound = le === "+Inf" || le === "Infinity" ? INF_LE : asCount(le);
    const c = asCount(count);
    if (bound === undefined || c === undefined) return `bucket ${shown(b)} is not {le, count}`;
    out.push({ le: bound, count: c });
  }
  return out.sort((a, b) => a.le - b.le);
}

/**
 * Reads one revision's counts from its parsed answer. Missing or non-count values and stale
 * timestamps are Inconclusive: an endpoint that has lost its data must never decide a rollout.
 */
export function readWebCounts(body: unknown, counts: WebCounts, judge: JudgeSpec, nowMs: number): WebCountsReading {
  const requests = select(body, counts.requests, "requests");
  if ("error" in requests) return requests;
  if ("no" in requests) return { inconclusive: requests.no };
  const req = asCount(requests.value);
  if (req === undefined) return { inconclusive: `requests was ${shown(requests.value)}, not a count` };
  if (counts.timestamp !== undefined) {
    const ts = select(body, counts.timestamp, "timestamp");
    if ("error" in ts) return ts;
    if ("no" in ts) return { inconclusive: `cannot tell how fresh the counts are: ${ts.no}` };
    const at = timestampMs(ts.value);
    if (at === undefined) return { inconclusive: `timestamp ${shown(ts.value)} is not a time` };
    const ageMs = nowMs - at;
    if (ageMs > durationMs(counts.maxSampleAge))
      return {
        inconclusive: `stale data: the counts are ${Math.round(ageMs / 1000)} s old (maxSampleAge ${String(counts.maxSampleAge)})`,
      };
  }
  const field = judge.latency ? "buckets" : "errors";
  const path = counts[field];
  if (path === undefined) return { error: `web counts need ${field} for this judge; add it to the metric` };
  const second = select(body, path, field);
  if ("error" in second) return second;
  if ("no" in second) return { inconclusive: second.no };
  if (judge.latency) {
    const buckets = bucketList(second.value);
    return typeof buckets === "string" ? { inconclusive: buckets } : { requests: req, errors: 0, buckets };
  }
  const errors = asCount(second.value);
  if (errors === undefined) return { inconclusive: `errors was ${shown(second.value)}, not a count` };
  if (errors > req) return { inconclusive: `errors (${errors}) exceed requests (${req})` };
  return { requests: req, errors };
}

/** Asks the endpoint about one revision and returns its parsed body, or what went wrong. */
export type AskWeb = (spec: WebSpec) => Promise<{ body: unknown } | { error: string } | { inconclusive: string }>;

/**
 * One look for a judged web metric: the canary's counts, then the stable revision's as baseline,
 * each from its own call with `{{revision}}` substituted. Either side inconclusive: no look.
 */
export async function measureWebCounts(
  spec: WebSpec,
  counts: WebCounts,
  judge: JudgeSpec,
  ctx: MeasureContext,
  ask: AskWeb,
  now: () => number,
): Promise<ProviderResult> {
  // The baseline revision when the rollout runs one, else stable.
  const stable = comparedRevision(ctx)?.revision;
  const query = `${spec.method ?? "GET"} ${spec.url} counts canary=${ctx.canaryRevision}${stable ? ` ${comparedRevision(ctx)?.role}=${stable}` : ""}`;
  if (stable === undefined) return { inconclusive: "no stable revision to compare with", query };
  const at = now();
  const read = async (revision: string): Promise<WebCountsReading> => {
    const answer = await ask(webSpecFor(spec, revision));
    if (!("body" in answer)) return answer;
    const r = readWebCounts(answer.body, counts, judge, at);
    return "requests" in r
      ? r
      : "error" in r
        ? { error: `${revision}: ${r.error}` }
        : { inconclusive: `${revision}: ${r.inconclusive}` };
  };
  const [canary, baseline] = await Promise.all([read(ctx.canaryRevision), read(stable)]);
  for (const r of [canary, baseline]) {
    if ("error" in r) return { error: r.error, query };
    if ("inconclusive" in r) return { inconclusive: r.inconclusive, query };
  }
  const look: EvidenceLook = { at, canary: canary as RevisionEvidence, baseline: baseline as RevisionEvidence };
  return { value: look, query };
}
