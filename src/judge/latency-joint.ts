import { type Histogram, shapedQuantile, shapedSlowerThan, total } from "./buckets.js";
import { type AlternativeGrid, logBernoulliEvidence, logWeightedMeanExp } from "./eprocess.js";

/*
 * Latency evidence over the baseline's unknown quantile, as joint.ts does for its unknown error
 * rate. Null (Failed side): the canary's q-quantile is at most (1+rel)·q_b. For every candidate
 * baseline quantile x,
 *   E(x) = E_canary(share slower than (1+rel)·x exceeds 1 − q) · E_baseline(share slower than x is 1 − q).
 * At x = q_b the two are e-processes of independent streams, so their product is one; the infimum
 * over x is at most it, so it is an e-process too. No α goes to a separate bound on q_b, and the data
 * decide how much evidence goes to ruling out a slower baseline. The Successful side is the mirror
 * image ("down": the canary's share slower than (1+rel)·x below 1 − q).
 *
 * The infimum is bounded from below on a grid in log x: counts slower than x only fall as x grows,
 * so on [x_i, x_i+1] the canary factor is at least its value at the end with fewer ("up") or more
 * ("down") slow canary requests, and each baseline alternative at least its value at the end its
 * likelihood ratio is smaller at.
 */

/**
 * Offsets (log-odds) of the baseline alternatives around 1 − q, and their weights. The baseline
 * usually has many requests, so its share is known closely: most weight sits on small offsets,
 * because at the true quantile each alternative's likelihood ratio is about 1 only if it is within
 * about one standard error, and the mixture's value there is what the evidence pays for not knowing
 * the baseline (measured: p95 +20 % rolled back in ~20 % fewer canary requests than with even
 * weights, identical canaries promoted ~10 % sooner). Large offsets, down to a share of 0.1 %
 * slower, stay so that a baseline with hardly any request near a slow canary's latency still rules
 * out a slow p95 quickly (a canary 100× slower is rolled back after ~200 requests).
 */
const BASELINE_STEPS: readonly number[] = [
  -4, -2.5, -1.5, -0.8, -0.4, -0.2, -0.1, -0.05, -0.025, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.5, 2.5, 4,
];
const BASELINE_WEIGHTS: readonly number[] = [3, 1, 1, 0.5, 0.5, 1, 4, 8, 8, 8, 8, 4, 1, 0.5, 0.5, 1, 1, 3];
const WEIGHT_SUM = BASELINE_WEIGHTS.reduce((a, b) => a + b, 0);
const BASELINE_LOG_WEIGHTS: readonly number[] = BASELINE_WEIGHTS.map((w) => Math.log(w / WEIGHT_SUM));
const FIRST_STEP = 0.0002;
const MAX_POINTS = 600;

const logistic = (x: number) => 1 / (1 + Math.exp(-x));

/** ln likelihood ratios of each baseline alternative against share p0, with `slow` of n slower. */
function baselineComponents(slow: number, n: number, p0: number): number[] {
  const l0 = Math.log(p0 / (1 - p0));
  return BASELINE_STEPS.map((st) => {
    const p1 = logistic(l0 + st);
    return slow * Math.log(p1 / p0) + (n - slow) * Math.log((1 - p1) / (1 - p0));
  });
}

/**
 * ln of the evidence against "the canary's q-quantile is at most (up) / at least (down)
 * (1+rel) × the baseline's", from both revisions' cumulative histograms (same layout).
 */
export function logLatencyJointEvidence(
  direction: "up" | "down",
  canary: Histogram,
  baseline: Histogram,
  q: number,
  rel: number,
  grid: AlternativeGrid,
): number {
  const nc = total(canary);
  const nb = total(baseline);
  if (!(nc > 0) || !(nb > 0)) return 0;
  const p0 = 1 - q;
  const start = shapedQuantile(baseline, q);
  if (start === undefined || !(start > 0)) return 0;
  const canaryAt = (x: number) =>
    logBernoulliEvidence(direction, shapedSlowerThan(canary, (1 + rel) * x), nc, p0, grid);
  const baselineAt = (x: number) => baselineComponents(shapedSlowerThan(baseline, x), nb, p0);
  // Limits of each factor as x → 0 (everything slower) and x → ∞ (nothing slower).
  const canaryLimit = (way: number) => logBernoulliEvidence(direction, way > 0 ? 0 : nc, nc, p0, grid);
  const baselineLimit = (way: number) => baselineComponents(way > 0 ? 0 : nb, nb, p0);
  const startComps = baselineAt(start);
  let best = canaryAt(start) + logWeightedMeanExp(startComps, BASELINE_LOG_WEIGHTS);
  // Walk outwards from the baseline's reading, one way at a time (+1: larger x).
  const walk = (way: number): void => {
    // Which factors fall the walking way: the canary's "up" evidence falls as x grows (fewer slow).
    const canaryFalls = (direction === "up") === way > 0;
    // A baseline alternative above p0 (st > 0) gains with more slow requests: it falls as x grows.
    const falls = BASELINE_STEPS.map((st) => st > 0 === way > 0);
    const cLimit = canaryLimit(way);
    const bLimit = baselineLimit(way);
    let x = start;
    let c = canaryAt(start);
    let comps = startComps;
    let step = FIRST_STEP;
    for (let i = 0; i < MAX_POINTS; i++) {
      // Everything farther: falling factors at least their limit, rising ones their value here.
      const tail =
        (canaryFalls ? Math.min(c, cLimit) : c) +
        logWeightedMeanExp(
          comps.map((v, j) => (falls[j] ? Math.min(v, bLimit[j] as number) : v)),
          BASELINE_LOG_WEIGHTS,
        );
      if (tail >= best) return;
      const next = x * Math.exp(way * step);
      const cNext = canaryAt(next);
      const compsNext = baselineAt(next);
      const low =
        (canaryFalls ? cNext : c) +
        logWeightedMeanExp(
          compsNext.map((v, j) => (falls[j] ? v : (comps[j] as number))),
          BASELINE_LOG_WEIGHTS,
        );
      best = Math.min(best, low);
      const here = cNext + logWeightedMeanExp(compsNext, BASELINE_LOG_WEIGHTS);
      // Fine steps only where the product moves: near its minimum on many requests. Where it is far
      // above the minimum, or barely moves (few requests), wider steps lose nothing that matters.
      const moved = Math.abs(here - (c + logWeightedMeanExp(comps, BASELINE_LOG_WEIGHTS)));
      x = next;
      c = cNext;
      comps = compsNext;
      step *= here > best + 3 || moved < 0.005 ? 1.5 : 1.015;
    }
    best = Math.min(
      best,
      (canaryFalls ? Math.min(c, cLimit) : c) +
        logWeightedMeanExp(
          comps.map((v, j) => (falls[j] ? Math.min(v, bLimit[j] as number) : v)),
          BASELINE_LOG_WEIGHTS,
        ),
    );
  };
  walk(1);
  walk(-1);
  return best;
}
