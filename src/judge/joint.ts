import { ALTERNATIVE_STEPS, type Direction, logBernoulliEvidence, logWeightedMeanExp } from "./eprocess.js";
import { logMeanExp } from "./math.js";

/*
 * Evidence about the canary's error rate against a tolerance that depends on the baseline's unknown
 * rate r: the null "r_c ≤ g(r_b)" (or "r_c ≥ g(r_b)" for the success side). For every candidate r,
 *   E(r) = E_canary(g(r)) · E_baseline(r),
 * where E_canary is the mixture e-value of all canary outcomes against the rate g(r), and E_baseline
 * the beta-binomial mixture martingale of the baseline's outcomes against the rate r. At the true
 * baseline rate both are e-processes of independent streams, so their product is one; the infimum over
 * r is at most that product, so it is an e-process too whatever r_b is. This spends no α on a separate
 * confidence bound for the baseline: the data choose how much of the evidence goes to ruling out a
 * worse baseline. (Universal-inference style; see docs/analysis.md.)
 *
 * The infimum is bounded from below on a grid in logit(r): on [r_i, r_i+1] the canary factor is at
 * least its value at the end farther from the data (it is monotone in the null rate, see
 * logBernoulliEvidence) and the baseline factor at least its value at the end nearer the observed
 * rate (it only grows away from it). A lower bound keeps the e-process valid.
 */

/** Logit step of the grid over candidate baseline rates: the bound gives away at most this × errors nats. */
const GRID_STEP = 0.005;
const MAX_POINTS = 4000;
/** Candidate rates stay this far from 0 and 1, where logit has no value. */
const EPS = 1e-12;

const logit = (p: number) => Math.log(p / (1 - p));
const logistic = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * ln of the evidence against "the canary's rate is at most (up) / at least (down) tolerated(r_b)",
 * `tolerated` increasing in r_b. Counts are totals since the analysis started. With `maxRate`, the
 * null also says r_b ≤ maxRate, so only candidate rates up to it are searched: evidence a caller may
 * use only where another test covers the baseline rates above it (error-rate.ts does).
 */
export function logJointEvidence(
  direction: Direction,
  canary: { hits: number; trials: number },
  baseline: { hits: number; trials: number },
  tolerated: (baselineRate: number) => number,
  maxRate = 1,
): number {
  if (!(canary.trials > 0)) return 0;
  const canaryLog = (r: number): number => {
    const p0 = tolerated(r);
    if (direction === "up" && p0 >= 1) return Math.min(0, limitUp(canary.trials - canary.hits));
    if (direction === "down" && p0 <= 0) return Math.min(0, limitDown(canary.hits));
    return logBernoulliEvidence(direction, canary.hits, canary.trials, p0);
  };
  const n = baseline.trials;
  const h = baseline.hits;
  // Any start on the far side of the observed rate is valid; with no errors (or no successes) seen,
  // half a request's worth away keeps the grid from crawling through rates the data cannot tell apart.
  const mle = n > 0 ? h / n : 0.5;
  const edge = 0.5 / (n + 1);
  // Any rate at all is a superset of the null, so a cap too small to walk to is widened, never narrowed.
  const cap = Math.min(1, Math.max(maxRate, 1e-9));
  const far = direction === "up" ? Math.max(mle, Math.min(edge, 0.5)) : Math.min(mle, Math.max(1 - edge, 0.5));
  const start = Math.min(far, cap);
  const sign = direction === "up" ? 1 : -1;
  // Beyond the grid the canary factor is at least its limit at the far end of the rates.
  const farCanary = direction === "up" ? Math.min(0, limitUp(canary.trials - canary.hits)) : canaryLog(0);
  const atStart = canaryLog(start);
  const startComps = baselineComponents(h, n, start);
  let best = atStart + logMeanExp(startComps);
  /*
   * Walk the candidate rates from the start outwards, one way (`way` = +1 up, −1 down in logit). On
   * each step's interval the baseline components whose alternative lies the walking way fall (take
   * their value at the outer end), the others rise (take the inner end). The canary factor: away from
   * the data it is at least its value at the outer end; towards the data, at least its value at the
   * start (it is monotone in the null rate).
   */
  const walk = (way: number): void => {
    const awayFromData = way === sign;
    const falls = BASELINE_STEPS.map((st) => st * way > 0);
    const limit = BASELINE_STEPS.map((st) => (way > 0 ? -(n - h) * st : h * st));
    const tailCanary = awayFromData ? farCanary : atStart;
    let x = logit(start);
    let comps = startComps;
    let step = GRID_STEP;
    for (let i = 0; i < MAX_POINTS; i++) {
      // Everything farther: the falling components at least their limit, the rising ones their value here.
      const tail = tailCanary + logMeanExp(comps.map((c, j) => (falls[j] ? Math.min(c, limit[j] as number) : c)));
      if (tail >= best) return;
      // The last interval below the cap ends at the cap: no candidate rate beyond it is searched.
      const capped = way > 0 && logistic(x + step) >= cap;
      const nextX = capped ? logit(cap) : x + way * step;
      const r = capped ? cap : logistic(nextX);
      if (r <= EPS || r >= 1 - EPS) {
        best = Math.min(best, tail);
        return;
      }
      const next = baselineComponents(h, n, r);
      const baselineLow = logMeanExp(next.map((c, j) => (falls[j] ? c : (comps[j] as number))));
      const canaryHere = awayFromData ? canaryLog(r) : atStart;
      best = Math.min(best, canaryHere + baselineLow);
      if (capped) return;
      x = nextX;
      comps = next;
      // Far from the minimum (the whole product, not the baseline's part alone) a coarse grid loses
      // nothing that matters: widen the steps; near it, keep them fine.
      step *= canaryHere + logMeanExp(comps) > best + 5 ? 1.5 : 1.02;
    }
    best = Math.min(
      best,
      tailCanary + logMeanExp(comps.map((c, j) => (falls[j] ? Math.min(c, limit[j] as number) : c))),
    );
  };
  walk(sign);
  walk(-sign);
  return best;
}

/**
 * Offsets (logit) of the alternatives the baseline's evidence averages over: many small ones, because
 * the baseline usually has plenty of requests and its rate is known closely; the average of their
 * likelihood ratios is a test martingale at every candidate rate.
 */
export const BASELINE_STEPS: readonly number[] = [
  -3, -1.5, -0.8, -0.4, -0.2, -0.1, -0.05, -0.025, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.5, 3,
];

/** ln likelihood ratios of each baseline alternative σ(logit r + s) against rate r, after h of n. */
function baselineComponents(h: number, n: number, r: number): number[] {
  const l = logit(r);
  const softplus = (z: number) => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
  const base = softplus(l);
  return BASELINE_STEPS.map((st) => h * st - n * (softplus(l + st) - base));
}

/** ln of the canary mixture's limit as the null rate approaches 1: each alternative's ratio tends to e^(−misses·step). */
function limitUp(misses: number): number {
  return logWeightedMeanExp(ALTERNATIVE_STEPS.map((s) => -misses * s));
}

/** ln of the down-side mixture's limit as the null rate approaches 0: each ratio tends to e^(−hits·step). */
function limitDown(hits: number): number {
  return logWeightedMeanExp(ALTERNATIVE_STEPS.map((s) => -hits * s));
}
