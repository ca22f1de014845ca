import { binomial, poisson } from "./random.js";

/*
 * Simulated canary traffic for bench/decisions.ts: every 10-second tick, each revision gets a Poisson
 * number of requests, a binomial number of errors and lognormal latencies counted into the router's
 * Prometheus buckets. The same tick feeds every policy, so they are compared on identical traffic.
 */

/** The router's Prometheus bucket bounds (seconds); the last is +Inf as providers send it. */
export const LE = [
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  30,
  60,
  Number.MAX_VALUE,
];
export const TICK_SECONDS = 10;
/** Latency of a healthy revision: lognormal, median 40 ms, σ 0.5 (p95 ≈ 91 ms, p99 ≈ 128 ms). */
export const MEDIAN_SECONDS = 0.04;
export const SIGMA = 0.5;

/** What one revision serves in one tick. */
export interface RevisionTick {
  requests: number;
  errors: number;
  /** Requests per bucket (not cumulative), aligned with {@link LE}. */
  bins: number[];
}

export interface Tick {
  /** Seconds since the analysis started, at the end of this tick. */
  t: number;
  canary: RevisionTick;
  baseline: RevisionTick;
}

/** A revision's traffic over time: request rate (req/s), error probability and latency factor at second t. */
export interface RevisionModel {
  rate: (t: number) => number;
  errorRate: (t: number, rand: () => number) => number;
  latencyFactor: number;
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 on erf; error below 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/** Share of a revision's requests slower than `seconds`. */
export function slowerShare(seconds: number, factor: number): number {
  return 1 - normalCdf(Math.log(seconds / (MEDIAN_SECONDS * factor)) / SIGMA);
}

/** Bucket probabilities (not cumulative) for a latency factor. */
export function binProbabilities(factor: number): number[] {
  let prev = 0;
  return LE.map((le) => {
    const cdf = le >= 1e300 ? 1 : 1 - slowerShare(le, factor);
    const p = Math.max(0, cdf - prev);
    prev = cdf;
    return p;
  });
}

function multinomial(rand: () => number, n: number, probs: readonly number[]): number[] {
  let left = n;
  let mass = 1;
  return probs.map((p) => {
    if (left <= 0 || mass <= 0) return 0;
    const k = binomial(rand, left, Math.min(1, p / mass));
    left -= k;
    mass -= p;
    return k;
  });
}

function revisionTick(rand: () => number, m: RevisionModel, t: number, bins: number[], tick: number): RevisionTick {
  const requests = poisson(rand, m.rate(t) * tick);
  return {
    requests,
    errors: binomial(rand, requests, Math.min(1, m.errorRate(t, rand))),
    bins: multinomial(rand, requests, bins),
  };
}

/** Ticks up to `horizon` seconds; the caller stops reading once every policy has decided. */
export function* traffic(
  rand: () => number,
  canary: RevisionModel,
  baseline: RevisionModel,
  horizon: number,
  tick = TICK_SECONDS,
): Generator<Tick> {
  const cBins = binProbabilities(canary.latencyFactor);
  const bBins = binProbabilities(baseline.latencyFactor);
  for (let t = tick; t <= horizon; t += tick) {
    // Both revisions share one draw of time-varying conditions (bursts hit both at once).
    const shared = rand();
    const fixed = () => shared;
    yield {
      t,
      canary: revisionTick(rand, { ...canary, errorRate: (s) => canary.errorRate(s, fixed) }, t, cBins, tick),
      baseline: revisionTick(rand, { ...baseline, errorRate: (s) => baseline.errorRate(s, fixed) }, t, bBins, tick),
    };
  }
}
