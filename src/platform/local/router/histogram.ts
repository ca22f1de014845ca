/**
 * Latency buckets shared by every telemetry series: one bucket for 0–0.05 ms, then geometric buckets
 * eight per doubling (about 9% wide) up to 62.5 s, then one overflow bucket. Eight per doubling keeps
 * the interpolated quantile within a few percent while a bucket index costs one log2.
 */
export const LOWEST_MS = 0.05;
const PER_DOUBLING = 8;
const FINITE = Math.ceil(Math.log2(60_000 / LOWEST_MS) * PER_DOUBLING);

/** Number of buckets, including the underflow (index 0) and overflow (last index) buckets. */
export const BUCKETS = FINITE + 2;

/** Upper bound of bucket `i` in milliseconds; the overflow bucket reports its lower bound. */
export function upperBound(i: number): number {
  if (i <= 0) return LOWEST_MS;
  if (i > FINITE) return LOWEST_MS * 2 ** (FINITE / PER_DOUBLING);
  return LOWEST_MS * 2 ** (i / PER_DOUBLING);
}

/** Lower bound of bucket `i` in milliseconds. */
export function lowerBound(i: number): number {
  return i <= 0 ? 0 : upperBound(i - 1);
}

/** The bucket holding a latency of `ms` milliseconds. */
export function bucketOf(ms: number): number {
  if (!(ms > LOWEST_MS)) return 0;
  const i = Math.ceil(Math.log2(ms / LOWEST_MS) * PER_DOUBLING);
  return i > FINITE ? FINITE + 1 : i;
}

/**
 * The `q` quantile (0..1) of a histogram of bucket counts, interpolating linearly inside the bucket
 * where the rank falls. NaN when the histogram is empty.
 */
export function quantile(counts: ArrayLike<number>, total: number, q: number): number {
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] ?? 0;
    if (c === 0) continue;
    if (seen + c >= rank) {
      if (i > FINITE) return lowerBound(i);
      const lo = lowerBound(i);
      return lo + (upperBound(i) - lo) * Math.max(0, (rank - seen) / c);
    }
    seen += c;
  }
  return lowerBound(counts.length - 1);
}
