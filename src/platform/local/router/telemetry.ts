import type { RevisionTelemetry } from "./config.js";
import { BUCKETS, bucketOf, quantile } from "./histogram.js";

/** Outcome classes, indexed as stored: a response's status class, or `error` for no response at all. */
export const OUTCOME_CLASSES = ["2xx", "3xx", "4xx", "5xx", "error"] as const;
export type OutcomeClass = (typeof OUTCOME_CLASSES)[number];
/** Index into {@link OUTCOME_CLASSES} of a connection error (no response from the revision). */
export const ERROR_CLASS = 4;

/** Longest window a summary can cover: the ring keeps this many one-second slots. */
export const MAX_WINDOW_SECONDS = 600;

/** Prometheus histogram bounds in seconds; coarser than the ring's buckets to keep /metrics small. */
export const PROMETHEUS_LE = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
] as const;

const CLASSES = OUTCOME_CLASSES.length;

/** The outcome class index of an HTTP status. */
export function classOf(status: number): number {
  if (status < 300) return 0;
  if (status < 400) return 1;
  if (status < 500) return 2;
  return 3;
}

/** Whose requests a series counts: users', or Sluice's generated load. */
export type SeriesTraffic = "user" | "generated";
/** Which requests a summary counts. */
export type TrafficFilter = SeriesTraffic | "all";
export const TRAFFIC_FILTERS: readonly TrafficFilter[] = ["user", "generated", "all"];

/** One revision's summary over the window from one or more series (users' and generated requests). */
export function summarizeSeries(
  revision: string,
  series: readonly RevisionSeries[],
  windowSeconds: number,
  nowMs: number,
): RevisionTelemetry {
  const window = Math.max(1, Math.min(MAX_WINDOW_SECONDS, Math.floor(windowSeconds)));
  const now = Math.floor(nowMs / 1000);
  const byClass = new Float64Array(CLASSES);
  const hist = new Float64Array(BUCKETS);
  for (const s of series) s.addWindow(window, now, byClass, hist);
  let requests = 0;
  for (let c = 0; c < CLASSES; c++) requests += byClass[c]!;
  const failed = byClass[3]! + byClass[ERROR_CLASS]!;
  const totals = new Float64Array(CLASSES);
  const prom = new Float64Array(PROMETHEUS_LE.length + 1);
  for (const s of series) {
    for (let c = 0; c < CLASSES; c++) totals[c]! += s.totals[c]!;
    for (let b = 0; b < prom.length; b++) prom[b]! += s.promBuckets[b]!;
  }
  let totalRequests = 0;
  for (let c = 0; c < CLASSES; c++) totalRequests += totals[c]!;
  let running = 0;
  return {
    revision,
    windowSeconds: window,
    requests,
    byClass: { "2xx": byClass[0]!, "3xx": byClass[1]!, "4xx": byClass[2]!, "5xx": byClass[3]!, error: byClass[4]! },
    successRate: requests === 0 ? Number.NaN : (requests - failed) / requests,
    errorRate: requests === 0 ? Number.NaN : failed / requests,
    p50: quantile(hist, requests, 0.5),
    p90: quantile(hist, requests, 0.9),
    p95: quantile(hist, requests, 0.95),
    p99: quantile(hist, requests, 0.99),
    requestRate: requests / window,
    total: {
      requests: totalRequests,
      errors: totals[3]! + totals[ERROR_CLASS]!,
      buckets: Array.from(prom, (n) => (running += n)),
    },
  };
}

/**
 * One revision's request counts and latencies: a ring of one-second slots over the last ten minutes
 * (for windowed summaries) plus cumulative counters (for Prometheus). Recording is a handful of
 * typed-array writes, so it can sit on the proxy's hot path.
 */
export class RevisionSeries {
  /** The second each slot currently holds; -1 for never used. */
  private readonly slotSecond = new Float64Array(MAX_WINDOW_SECONDS).fill(-1);
  private readonly slotCounts = new Float64Array(MAX_WINDOW_SECONDS * CLASSES);
  /** Allocated on the first request: a revision that never serves costs almost nothing. */
  private slotHist: Uint32Array | undefined;
  /** Cumulative requests per outcome class since the router started. */
  readonly totals = new Float64Array(CLASSES);
  /** Requests per {@link PROMETHEUS_LE} bucket since start, last one +Inf; each bucket on its own (made cumulative when rendered). */
  readonly promBuckets = new Float64Array(PROMETHEUS_LE.length + 1);
  /** Sum of all latencies in seconds. */
  latencySumSeconds = 0;
  /** The last second (epoch seconds) a request was recorded in; -1 when none. */
  lastSecond = -1;

  constructor(
    readonly rollout: string,
    readonly revision: string,
    /** Whose requests: users', or Sluice's generated load (see docs/load.md). */
    readonly traffic: SeriesTraffic = "user",
  ) {}

  /** Records one finished request of outcome class `cls` that took `ms` milliseconds, at `nowMs`. */
  record(cls: number, ms: number, nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    const slot = second % MAX_WINDOW_SECONDS;
    const hist = this.slotHist ?? this.allocate();
    if (this.slotSecond[slot] !== second) {
      this.slotSecond[slot] = second;
      this.slotCounts.fill(0, slot * CLASSES, slot * CLASSES + CLASSES);
      hist.fill(0, slot * BUCKETS, slot * BUCKETS + BUCKETS);
    }
    this.slotCounts[slot * CLASSES + cls]! += 1;
    hist[slot * BUCKETS + bucketOf(ms)]! += 1;
    this.totals[cls]! += 1;
    const seconds = ms / 1000;
    let b = 0;
    while (b < PROMETHEUS_LE.length && seconds > PROMETHEUS_LE[b]!) b++;
    this.promBuckets[b]! += 1;
    this.latencySumSeconds += seconds;
    this.lastSecond = second;
  }

  /** Counts and latency quantiles over the last `windowSeconds` seconds (the current one included). */
  summarize(windowSeconds: number, nowMs: number): RevisionTelemetry {
    return summarizeSeries(this.revision, [this], windowSeconds, nowMs);
  }

  /** Adds this series' requests of the window's seconds to `byClass` and `hist`. */
  addWindow(window: number, now: number, byClass: Float64Array, hist: Float64Array): void {
    if (!this.slotHist) return;
    for (let slot = 0; slot < MAX_WINDOW_SECONDS; slot++) {
      const second = this.slotSecond[slot]!;
      if (second < 0 || second > now || second <= now - window) continue;
      for (let c = 0; c < CLASSES; c++) byClass[c]! += this.slotCounts[slot * CLASSES + c]!;
      for (let b = 0; b < BUCKETS; b++) hist[b]! += this.slotHist[slot * BUCKETS + b]!;
    }
  }

  private allocate(): Uint32Array {
    this.slotHist = new Uint32Array(MAX_WINDOW_SECONDS * BUCKETS);
    return this.slotHist;
  }
}

/**
 * Every rollout's and revision's telemetry. The clock is injected so tests can move time; the proxy
 * holds {@link RevisionSeries} references from the compiled config, so recording needs no lookups.
 */
export class Telemetry {
  private readonly byRollout = new Map<string, Map<string, RevisionSeries>>();
  /** Generated load's series, apart so users' requests are never mixed with them unless asked. */
  private readonly generatedByRollout = new Map<string, Map<string, RevisionSeries>>();
  readonly now: () => number;

  constructor(opts: { now?: () => number } = {}) {
    this.now = opts.now ?? Date.now;
  }

  /** The series for a rollout's revision, created on first use. */
  series(rollout: string, revision: string, traffic: SeriesTraffic = "user"): RevisionSeries {
    const byRollout = traffic === "user" ? this.byRollout : this.generatedByRollout;
    let revisions = byRollout.get(rollout);
    if (!revisions) {
      revisions = new Map();
      byRollout.set(rollout, revisions);
    }
    let series = revisions.get(revision);
    if (!series) {
      series = new RevisionSeries(rollout, revision, traffic);
      revisions.set(revision, series);
    }
    return series;
  }

  /** Records one finished request against a series at the current time. */
  record(series: RevisionSeries, cls: number, ms: number): void {
    series.record(cls, ms, this.now());
  }

  /**
   * A summary per revision of the rollout over the window: every revision with a series, whether or
   * not it saw requests in the window (a revision with none reports NaN rates and quantiles).
   */
  summary(rollout: string, windowSeconds: number, traffic: TrafficFilter = "all"): RevisionTelemetry[] {
    const byRevision = new Map<string, RevisionSeries[]>();
    const add = (from: Map<string, Map<string, RevisionSeries>>) => {
      for (const [revision, s] of from.get(rollout) ?? [])
        byRevision.set(revision, [...(byRevision.get(revision) ?? []), s]);
    };
    if (traffic !== "generated") add(this.byRollout);
    if (traffic !== "user") add(this.generatedByRollout);
    const now = this.now();
    return [...byRevision].map(([revision, series]) => summarizeSeries(revision, series, windowSeconds, now));
  }

  /** Every series, for the Prometheus exposition. */
  *all(): Iterable<RevisionSeries> {
    for (const revisions of this.byRollout.values()) yield* revisions.values();
    for (const revisions of this.generatedByRollout.values()) yield* revisions.values();
  }

  /**
   * Forgets series that are not in `keep` (keys `rollout\0revision`) and have had no request for a
   * whole ring, so revisions deleted long ago stop costing memory and /metrics lines.
   */
  prune(keep: Set<string>): void {
    const oldest = Math.floor(this.now() / 1000) - MAX_WINDOW_SECONDS;
    for (const byRollout of [this.byRollout, this.generatedByRollout])
      for (const [rollout, revisions] of byRollout) {
        for (const [revision, series] of revisions) {
          if (!keep.has(seriesKey(rollout, revision)) && series.lastSecond < oldest) revisions.delete(revision);
        }
        if (revisions.size === 0) byRollout.delete(rollout);
      }
  }
}

/** The key {@link Telemetry.prune} expects for a rollout's revision. */
export function seriesKey(rollout: string, revision: string): string {
  return `${rollout}\0${revision}`;
}
