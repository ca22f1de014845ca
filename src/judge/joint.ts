import { ALTERNATIVE_STEPS, type Direction, logBernoulliEvidence } from "./eprocess.js";
import { logMeanExp, logMixtureAgainst } from "./math.js";

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
 * `tolerated` increasing in r_b. Counts are totals since the analysis started.
 */
export function logJointEvidence(
  direction: Direction,
  canary: { hits: number; trials: number },
  baseline: { hits: number; trials: number },
  tolerated: (baselineRate: number) => number,
): number {
  if (!(canary.trials > 0)) return 0;
  const canaryLog = (r: number): number => {
    const p0 = tolerated(r);
    if (direction === "up" && p0 >= 1) return Math.min(0, limitUp(canary.trials - canary.hits));
    if (direction === "down" && p0 <= 0) return Math.min(0, limitDown(canary.hits));
    return logBernoulliEvidence(direction, canary.hits, canary.trials, p0);
  };
  const baselineLog = (r: number): number =>
    baseline.trials > 0 ? logMixtureAgainst(baseline.hits, baseline.trials, r) : 0;
  const n = baseline.trials;
  // The observed baseline rate, kept off 0 and 1 so the grid has a start in logit space.
  // Any start on the far side of the observed rate is valid; with no errors (or no successes) seen,
  // half a request's worth away keeps the grid from crawling through rates the data cannot tell apart.
  const mle = n > 0 ? baseline.hits / n : 0.5;
  const edge = 0.5 / (n + 1);
  const start = direction === "up" ? Math.max(mle, Math.min(edge, 0.5)) : Math.min(mle, Math.max(1 - edge, 0.5));
  const sign = direction === "up" ? 1 : -1;
  // At the observed rate itself (and on the data's side of it) both factors are at least their value there.
  let best = canaryLog(start) + (n > 0 ? baselineLog(baseline.hits / n) : 0);
  // Beyond the grid the canary factor is at least its limit at the far end of the rates.
  const tailCanary = direction === "up" ? Math.min(0, limitUp(canary.trials - canary.hits)) : canaryLog(0);
  let x = logit(start);
  let near = baselineLog(start);
  let step = GRID_STEP;
  for (let i = 0; i < MAX_POINTS; i++) {
    // Nothing farther can go below the best so far: the baseline factor only grows from here.
    if (near + tailCanary >= best) return best;
    const nextX = x + sign * step;
    const r = logistic(nextX);
    if (r <= EPS || r >= 1 - EPS) return Math.min(best, near + tailCanary);
    best = Math.min(best, canaryLog(r) + near);
    x = nextX;
    near = baselineLog(r);
    // Far from the minimum a coarse grid loses nothing that matters: widen the steps.
    step *= near > best + 5 ? 1.5 : 1.05;
  }
  return Math.min(best, near + tailCanary);
}

/** ln of the canary mixture's limit as the null rate approaches 1: each alternative's ratio tends to e^(−misses·step). */
function limitUp(misses: number): number {
  return logMeanExp(ALTERNATIVE_STEPS.map((s) => -misses * s));
}

/** ln of the down-side mixture's limit as the null rate approaches 0: each ratio tends to e^(−hits·step). */
function limitDown(hits: number): number {
  return logMeanExp(ALTERNATIVE_STEPS.map((s) => -hits * s));
}
