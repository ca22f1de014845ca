import { BUCKETS, bucketOf, lowerBound, quantile, upperBound } from "../platform/local/router/histogram.js";

/**
 * What a load run saw: a latency histogram (the router's buckets, so `sluice load` and router
 * telemetry report the same quantiles for the same traffic) and a count per status code and per
 * kind of failure. Fixed size whatever the number of requests.
 */
export class LoadResults {
  private readonly counts = new Float64Array(BUCKETS);
  /** Answers by HTTP status code. */
  readonly statuses = new Map<number, number>();
  /** Requests that got no answer, by reason (timeout, refused, reset, …). */
  readonly failures = new Map<string, number>();
  /** Due requests never sent because every connection was busy. */
  missed = 0;
  /** Requests answered or failed. */
  completed = 0;
  private sumMs = 0;
  private slowestMs = 0;
  private fastestMs = Number.POSITIVE_INFINITY;

  /** Records an answered request. */
  answered(status: number, latencyMs: number): void {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    this.latency(latencyMs);
  }

  /** Records a request that got no answer; its latency counts too (a timeout is slow). */
  failed(reason: string, latencyMs: number): void {
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
    this.latency(latencyMs);
  }

  private latency(ms: number): void {
    this.completed++;
    const i = bucketOf(ms);
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.sumMs += ms;
    if (ms > this.slowestMs) this.slowestMs = ms;
    if (ms < this.fastestMs) this.fastestMs = ms;
  }

  /** The `q` quantile of latency in ms (0..1); NaN before any request completed. */
  quantile(q: number): number {
    return quantile(this.counts, this.completed, q);
  }

  /** Summary figures in ms; NaN when nothing completed. */
  latencySummary(): { mean: number; fastest: number; slowest: number; p50: number; p90: number; p99: number } {
    const none = this.completed === 0;
    return {
      mean: none ? Number.NaN : this.sumMs / this.completed,
      fastest: none ? Number.NaN : this.fastestMs,
      slowest: none ? Number.NaN : this.slowestMs,
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p99: this.quantile(0.99),
    };
  }

  /** Requests that got a 5xx or no answer. */
  errors(): number {
    let n = 0;
    for (const [code, c] of this.statuses) if (code >= 500) n += c;
    for (const c of this.failures.values()) n += c;
    return n;
  }

  /**
   * The histogram regrouped into at most `rows` bars of equal width in log space between the fastest
   * and slowest request, as `hey` prints it: each bar's upper bound (ms) and count.
   */
  bars(rows = 10): { upToMs: number; count: number }[] {
    if (this.completed === 0) return [];
    let first = -1;
    let last = -1;
    for (let i = 0; i < BUCKETS; i++) {
      if ((this.counts[i] ?? 0) > 0) {
        if (first < 0) first = i;
        last = i;
      }
    }
    const span = last - first + 1;
    const per = Math.max(1, Math.ceil(span / rows));
    const out: { upToMs: number; count: number }[] = [];
    for (let start = first; start <= last; start += per) {
      const end = Math.min(last, start + per - 1);
      let count = 0;
      for (let i = start; i <= end; i++) count += this.counts[i] ?? 0;
      out.push({ upToMs: end === BUCKETS - 1 ? lowerBound(end) : upperBound(end), count });
    }
    return out;
  }
}
