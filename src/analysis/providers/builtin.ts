import { durationMs } from "../../model/duration.js";
import type { EvidenceLook, Metric, RevisionEvidence } from "../../model/index.js";
import type { RevisionTelemetry } from "../../platform/local/router/config.js";
import { PROMETHEUS_LE } from "../../platform/local/router/telemetry.js";
import { comparedRevision } from "../comparison.js";
import { INF_LE } from "./prometheus-counts.js";
import type { MeasureContext, MetricProviderPort, ProviderResult } from "./provider.js";

/** Reads the router's per-revision telemetry for a rollout over the last `windowSeconds`. */
export type GetTelemetry = (
  rollout: string,
  windowSeconds: number,
  traffic?: "user" | "generated" | "all",
) => Promise<RevisionTelemetry[]>;

/** One revision's numbers as conditions see them (`result.canary.successRate`). Latencies in milliseconds. */
export interface RevisionSummary {
  successRate: number;
  errorRate: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  requestRate: number;
  requests: number;
}

/** The value of a builtin measurement. */
export interface BuiltinValue {
  canary: RevisionSummary;
  stable: RevisionSummary;
  /** The baseline revision's numbers, when the rollout runs one (`result.baseline.errorRate`). */
  baseline?: RevisionSummary;
}

/** How long to wait for the router before calling its telemetry unavailable. */
const TELEMETRY_TIMEOUT_MS = 10_000;

/** A revision with no traffic in the window (or no such revision): zero requests, and NaN for every ratio. */
export const NO_TRAFFIC: Readonly<RevisionSummary> = Object.freeze({
  successRate: Number.NaN,
  errorRate: Number.NaN,
  p50: Number.NaN,
  p90: Number.NaN,
  p95: Number.NaN,
  p99: Number.NaN,
  requestRate: 0,
  requests: 0,
});

/** A revision's summary from the telemetry list; {@link NO_TRAFFIC} when the router has none for it. */
export function summarizeRevision(telemetry: RevisionTelemetry[], revision: string | undefined): RevisionSummary {
  const t = revision === undefined ? undefined : telemetry.find((r) => r.revision === revision);
  if (!t || t.requests === 0) return { ...NO_TRAFFIC };
  const { successRate, errorRate, p50, p90, p95, p99, requestRate, requests } = t;
  return { successRate, errorRate, p50, p90, p95, p99, requestRate, requests };
}

/** The recorded query: enough to know which rollout, revisions and window were read. */
export function builtinQuery(ctx: MeasureContext, windowSeconds: number): string {
  const stable = ctx.stableRevision === undefined ? "" : ` stable=${ctx.stableRevision}`;
  const baseline = ctx.baselineRevision === undefined ? "" : ` baseline=${ctx.baselineRevision}`;
  return `builtin rollout=${ctx.rollout} window=${windowSeconds}s canary=${ctx.canaryRevision}${stable}${baseline}`;
}

function withTimeout<T>(p: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000}s`)), ms);
    const onAbort = () => reject(new Error("the measurement was cancelled"));
    signal?.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    });
  });
}

/**
 * Measures with the local router's own telemetry: success rate, error rate, latency percentiles
 * and request rate of the canary and the stable revision over a sliding window. Below
 * `minRequests` canary requests the result is Inconclusive (the numbers are still recorded):
 * too little traffic is neither a pass nor a failure.
 */
export class BuiltinMetricProvider implements MetricProviderPort {
  readonly kind = "builtin" as const;

  constructor(private readonly getTelemetry: GetTelemetry) {}

  async measure(metric: Metric, ctx: MeasureContext): Promise<ProviderResult> {
    const spec = metric.provider.builtin;
    if (!spec) return { error: `metric "${metric.name}" has no builtin provider`, query: "" };
    const windowSeconds = durationMs(spec.window ?? "1m") / 1000;
    const traffic = spec.traffic ?? "all";
    const query = `${builtinQuery(ctx, windowSeconds)}${traffic === "all" ? "" : ` traffic=${traffic}`}`;
    let telemetry: RevisionTelemetry[];
    try {
      telemetry = await withTimeout(
        this.getTelemetry(ctx.rollout, windowSeconds, traffic),
        TELEMETRY_TIMEOUT_MS,
        ctx.signal,
      );
      if (!Array.isArray(telemetry)) throw new Error("the router answered without a revision list");
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return {
        error: `router telemetry for rollout ${ctx.rollout} is unavailable (${why}); check that the router is running`,
        query,
      };
    }
    if (metric.judge) return judgeLook(telemetry, ctx, query);
    const value: BuiltinValue = {
      canary: summarizeRevision(telemetry, ctx.canaryRevision),
      stable: summarizeRevision(telemetry, ctx.stableRevision),
      ...(ctx.baselineRevision === undefined ? {} : { baseline: summarizeRevision(telemetry, ctx.baselineRevision) }),
    };
    const minRequests = spec.minRequests ?? 100;
    if (value.canary.requests < minRequests)
      return {
        inconclusive: `insufficient traffic: ${value.canary.requests} of ${minRequests} requests`,
        value,
        query,
      };
    return { value, query };
  }
}

/** A revision's cumulative counts since the router started; zero for a revision with no series yet. */
export function revisionEvidence(telemetry: RevisionTelemetry[], revision: string | undefined): RevisionEvidence {
  const t = revision === undefined ? undefined : telemetry.find((r) => r.revision === revision);
  const total = t?.total;
  if (!total) return { requests: 0, errors: 0, buckets: [] };
  const buckets = total.buckets.map((count, i) => ({ le: PROMETHEUS_LE[i] ?? INF_LE, count }));
  return { requests: total.requests, errors: total.errors, buckets };
}

/**
 * A look for a judged metric: the cumulative counts of the canary and of what it is compared with
 * (the baseline revision when the rollout runs one, else the stable revision). The runner takes increments from the first look, so the router's counts since its
 * own start serve; a router restart shows as a decrease, which restarts the evidence.
 */
function judgeLook(telemetry: RevisionTelemetry[], ctx: MeasureContext, query: string): ProviderResult {
  const compared = comparedRevision(ctx);
  if (compared === undefined) return { inconclusive: "no stable revision to compare with", query };
  const look: EvidenceLook = {
    at: Date.now(),
    canary: revisionEvidence(telemetry, ctx.canaryRevision),
    baseline: revisionEvidence(telemetry, compared.revision),
  };
  return { value: look, query };
}
