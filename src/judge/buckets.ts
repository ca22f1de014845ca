import { logMixtureAgainst } from "./math.js";
import { normalCdf, normalQuantile } from "./normal.js";
import type { Bucket } from "./types.js";

/*
 * Reading cumulative histogram buckets (Prometheus-style `le` buckets, as the router and Prometheus
 * keep them): validation, time-uniform bounds on a quantile, and counts slower than a point inside
 * a bucket, either linearly (as Prometheus' histogram_quantile does) or as a piece of a log-normal
 * (the judge's reading; see latency.ts for why).
 */

/** A bucket this high is Prometheus' +Inf (sent as the largest double): never a boundary. */
const INFINITE_LE = 1e300;

/** Cumulative counts by bucket, le ascending; total is the highest bucket's count. */
export interface Histogram {
  les: number[];
  counts: number[];
}

/** Requests in a histogram: its highest bucket's count. */
export function total(h: Histogram): number {
  return h.counts.length === 0 ? 0 : (h.counts[h.counts.length - 1] as number);
}

/** Buckets sorted by le, or undefined when any number is impossible (NaN, negative, not cumulative). */
export function readBuckets(buckets: readonly Bucket[] | undefined): Histogram | undefined {
  if (!Array.isArray(buckets) || buckets.length === 0 || buckets.length > 1000) return undefined;
  const sorted = [...buckets].sort((a, b) => (a?.le ?? 0) - (b?.le ?? 0));
  const les: number[] = [];
  const counts: number[] = [];
  for (const b of sorted) {
    if (b === null || typeof b !== "object" || !(b.le > 0) || !(b.count >= 0) || !Number.isFinite(b.count))
      return undefined;
    if (les.length > 0 && b.le === les[les.length - 1]) return undefined;
    if (counts.length > 0 && b.count < (counts[counts.length - 1] as number)) return undefined;
    les.push(b.le);
    counts.push(b.count);
  }
  return { les, counts };
}

/** True when both histograms have the same bucket bounds. */
export function sameLayout(a: Histogram, b: Histogram): boolean {
  return a.les.length === b.les.length && a.les.every((le, i) => le === b.les[i]);
}

/** a − b bucket by bucket, or undefined when any count went down (a restart). */
export function minus(a: Histogram, b: Histogram): Histogram | undefined {
  const counts = a.counts.map((c, i) => c - (b.counts[i] as number));
  return counts.some((c) => c < 0) ? undefined : { les: a.les, counts };
}

/**
 * Time-uniform bounds on a histogram's q-quantile: the levels p⁻ < q < p⁺ that the observed share
 * must pass before "F(x) ≥ q" (or "< q") is shown at chance α, read back through the interpolated
 * quantile function. Undefined while the evidence is too thin for a side.
 */
export function quantileBounds(h: Histogram, q: number, alpha: number): { below?: number; atMost?: number } {
  const n = total(h);
  if (!(n > 0)) return {};
  const limit = Math.log(1 / alpha);
  const shown = (p: number) => logMixtureAgainst(p * n, n, q) >= limit;
  const level = (far: number) => {
    if (!shown(far)) return undefined;
    let near = q;
    let out = far;
    for (let i = 0; i < 40; i++) {
      const mid = (near + out) / 2;
      if (shown(mid)) out = mid;
      else near = mid;
    }
    return out;
  };
  const up = level(1);
  const down = level(0);
  const atMost = up === undefined ? undefined : shapedQuantile(h, up);
  const below = down === undefined ? undefined : shapedQuantile(h, down);
  return {
    atMost: atMost !== undefined && atMost < INFINITE_LE ? atMost : undefined,
    below: below !== undefined && below > 0 ? below : undefined,
  };
}

/** Clamp a share away from 0 and 1 by half a request, so its probit is finite. */
function probitOf(share: number, n: number): number {
  const lo = 0.5 / (n + 1);
  return normalQuantile(Math.min(1 - lo, Math.max(lo, share)));
}

/**
 * The share of bucket (a, b]'s requests that are at most x, reading the bucket as a piece of a
 * log-normal through the histogram's shares Fa at a and Fb at b of n requests (see the header).
 * The first bucket (a = 0) and the +Inf one are read linearly; so is a bucket whose shares cannot
 * be told apart.
 */
export function bucketShareBelow(a: number, b: number, fa: number, fb: number, n: number, x: number): number {
  if (!(x > a)) return 0;
  if (!(x < b)) return 1;
  const piece = logNormalPiece(a, b, fa, fb, n);
  if (!piece) return (x - a) / (b - a);
  const { za, zb, pa, pb } = piece;
  const zx = za + ((zb - za) * Math.log(x / a)) / Math.log(b / a);
  return Math.min(1, Math.max(0, (normalCdf(zx) - pa) / (pb - pa)));
}

/** The inverse of {@link bucketShareBelow}: the latency below which `share` of the bucket's requests lie. */
function bucketPoint(a: number, b: number, fa: number, fb: number, n: number, share: number): number {
  const piece = logNormalPiece(a, b, fa, fb, n);
  if (!piece) return a + (b - a) * share;
  const { za, zb, pa, pb } = piece;
  const zx = normalQuantile(Math.min(pb, Math.max(pa, pa + share * (pb - pa))));
  return a * Math.exp(((zx - za) / (zb - za)) * Math.log(b / a));
}

/**
 * The log-normal piece a bucket (a, b] is read as, from the shares fa below a and fb up to b: its
 * edges on the normal scale and the normal's mass below them. Undefined where the bucket is read
 * linearly instead (a first or last bucket, no data, or shares that give no rising piece).
 */
function logNormalPiece(a: number, b: number, fa: number, fb: number, n: number) {
  if (!(a > 0) || b >= INFINITE_LE || !(n > 0)) return undefined;
  const za = probitOf(fa, n);
  const zb = probitOf(fb, n);
  const pa = normalCdf(za);
  const pb = normalCdf(zb);
  return zb > za && pb > pa ? { za, zb, pa, pb } : undefined;
}

/**
 * Requests of `h` slower than x, reading the bucket that holds x with the log-normal shape of
 * `shape` (a histogram of the same layout, by default `h` itself).
 */
export function shapedSlowerThan(h: Histogram, x: number, shape: Histogram = h): number {
  const m = total(shape);
  if (!(m > 0)) return slowerThan(h, x);
  return slower(h, x, (i, prevLe, le) =>
    bucketShareBelow(prevLe, le, (shape.counts[i - 1] ?? 0) / m, (shape.counts[i] as number) / m, m, x),
  );
}

/** The q-quantile of a histogram, each bucket read as a piece of a log-normal (see the header). */
export function shapedQuantile(h: Histogram, q: number): number | undefined {
  return quantile(h, q, (prevLe, le, below, upTo, n, f) => bucketPoint(prevLe, le, below, upTo, n, f));
}

/** Requests slower than x, interpolating linearly inside the bucket that holds x (as histogram_quantile does). */
export function slowerThan(h: Histogram, x: number): number {
  return slower(h, x, (_i, prevLe, le) => (x - prevLe) / (le - prevLe));
}

/**
 * Requests of `h` slower than x: those past the bucket that holds x, and the part of that bucket's
 * requests `shareBelow` does not put below x (given the bucket's index and edges).
 */
function slower(h: Histogram, x: number, shareBelow: (i: number, prevLe: number, le: number) => number): number {
  const n = total(h);
  let prevLe = 0;
  let prevCount = 0;
  for (let i = 0; i < h.les.length; i++) {
    const le = h.les[i] as number;
    const c = h.counts[i] as number;
    if (x <= le) {
      if (le >= INFINITE_LE) return n - prevCount;
      return Math.max(0, n - (prevCount + (c - prevCount) * shareBelow(i, prevLe, le)));
    }
    prevLe = le;
    prevCount = c;
  }
  return 0;
}

/** Prometheus-style interpolated quantile (histogram_quantile), or undefined without data. */
export function interpolatedQuantile(h: Histogram, q: number): number | undefined {
  return quantile(h, q, (prevLe, le, _below, _upTo, _n, f) => prevLe + (le - prevLe) * f);
}

/**
 * The q-quantile of a histogram: the bucket that holds rank q·n, and `inside` to place the rank
 * within it, given the bucket's edges, the shares below and up to it, n, and how far into the
 * bucket's requests the rank falls (0..1).
 */
function quantile(
  h: Histogram,
  q: number,
  inside: (prevLe: number, le: number, below: number, upTo: number, n: number, fraction: number) => number,
): number | undefined {
  const n = total(h);
  if (!(n > 0)) return undefined;
  const rank = q * n;
  let prevLe = 0;
  let prevCount = 0;
  for (let i = 0; i < h.les.length; i++) {
    const le = h.les[i] as number;
    const c = h.counts[i] as number;
    if (c >= rank) {
      if (le >= INFINITE_LE) return prevLe;
      if (c === prevCount) return le;
      return inside(prevLe, le, prevCount / n, c / n, n, (rank - prevCount) / (c - prevCount));
    }
    prevLe = le;
    prevCount = c;
  }
  return prevLe;
}
