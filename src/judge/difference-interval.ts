import { logJointEvidence } from "./joint.js";
import { rateConfidence } from "./math.js";

/*
 * The interval an error-rate verdict shows for "canary rate minus baseline rate". It is built from
 * the same joint evidence the judge decides on (joint.ts: the canary's errors against r + d, times
 * the baseline's requests against r, the smallest over every baseline rate r), not from a separate
 * interval around each revision's rate: subtracting two intervals adds both widths, so a Failed
 * verdict could show an interval reaching below zero while the evidence was clear.
 *
 * The interval holds every d that neither "r_c ≤ r_b + d" nor "r_c ≥ r_b + d" has evidence of 2/α
 * against. For the true difference both statements hold, and each evidence is an e-process under
 * its own, so the chance either EVER reaches 2/α is at most α/2 + α/2: a (1 − α) interval at every
 * look, however often it is read.
 */

/** Rates inside (0, 1): the canary factor has no value at exactly 0 or 1, and a null nudged inward is only wider. */
const EDGE = 1e-9;
const clamp = (p: number) => Math.min(1 - EDGE, Math.max(EDGE, p));
const MAX_STEPS = 24;
/** 0.001 points: a verdict prints one decimal of a percentage point. */
const PRECISION = 1e-5;

/**
 * A confidence interval for the canary's error rate minus the baseline's, valid at every look at
 * level 1 − `alpha` (points as fractions: 0.021 is +2.1 points). Without requests on both sides it is
 * the whole range, [−1, 1].
 *
 * @example differenceInterval({ hits: 16, trials: 400 }, { hits: 18, trials: 3600 }, 0.01) // ≈ { lower: 0.01, upper: 0.07 }
 */
export function differenceInterval(
  canary: { hits: number; trials: number },
  baseline: { hits: number; trials: number },
  alpha: number,
): { lower: number; upper: number } {
  if (!(canary.trials > 0) || !(baseline.trials > 0) || !(alpha > 0 && alpha < 1)) return { lower: -1, upper: 1 };
  const limit = Math.log(2 / alpha);
  // Evidence against "r_c ≤ r_b + d" only falls as d grows, and against "r_c ≥ r_b + d" only rises:
  // each edge is a bisection.
  const against = (direction: "up" | "down", d: number) =>
    logJointEvidence(direction, canary, baseline, (r) => clamp(r + d)) >= limit;
  const estimate = canary.hits / canary.trials - baseline.hits / baseline.trials;
  // Each revision's own interval, subtracted, is wider: a close bracket to start from (or the
  // whole range, should it not be), so a few halvings reach the 0.001 points a verdict prints.
  const c = rateConfidence(canary.hits, canary.trials, alpha / 2);
  const b = rateConfidence(baseline.hits, baseline.trials, alpha / 2);
  const outerLow = c.lower - b.upper;
  const outerHigh = c.upper - b.lower;
  let lo = against("up", outerLow) ? outerLow : -1;
  let hi = estimate;
  for (let i = 0; i < MAX_STEPS && hi - lo > PRECISION; i++) {
    const mid = (lo + hi) / 2;
    if (against("up", mid)) lo = mid;
    else hi = mid;
  }
  const lower = lo;
  lo = estimate;
  hi = against("down", outerHigh) ? outerHigh : 1;
  for (let i = 0; i < MAX_STEPS && hi - lo > PRECISION; i++) {
    const mid = (lo + hi) / 2;
    if (against("down", mid)) hi = mid;
    else lo = mid;
  }
  return { lower, upper: hi };
}
