/*
 * Numerical building blocks, all in log space so tens of millions of requests neither overflow nor
 * underflow: log-gamma, log-sum-exp and a time-uniform confidence sequence for a Bernoulli rate.
 */

const LANCZOS = [
  0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406, 12.507343278686905,
  -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error below 1e-13 over the range the judge uses). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < 9; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln B(a, b). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** ln(mean(exp(xs))) without overflow. */
export function logMeanExp(xs: readonly number[]): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const x of xs) if (x > max) max = x;
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (const x of xs) sum += Math.exp(x - max);
  return max + Math.log(sum / xs.length);
}

/** x·ln(p) that is 0 when x is 0, whatever p (so a rate of exactly 0 or 1 is no NaN). */
export function xlogy(x: number, p: number): number {
  return x === 0 ? 0 : x * Math.log(p);
}

/** Jeffreys prior of the mixture below: its confidence sequence stays tight for rare errors. */
const PRIOR_A = 0.5;
const PRIOR_B = 0.5;

/**
 * ln of the beta-binomial mixture martingale for "the rate is p" after `successes` of `trials`:
 * ln[B(a+s, b+f)/B(a, b)] − s·ln p − f·ln(1−p). Under rate p its exponential is a test martingale,
 * so by Ville's inequality {p : value < ln(1/α)} is a (1−α) confidence sequence valid at every look.
 */
export function logMixtureAgainst(successes: number, trials: number, p: number): number {
  const f = trials - successes;
  return logBeta(PRIOR_A + successes, PRIOR_B + f) - logBeta(PRIOR_A, PRIOR_B) - xlogy(successes, p) - xlogy(f, 1 - p);
}

/** A time-uniform (1−α) confidence interval for a Bernoulli rate: valid however often it is looked at. */
export function rateConfidence(successes: number, trials: number, alpha: number): { lower: number; upper: number } {
  if (!(trials > 0)) return { lower: 0, upper: 1 };
  const f = trials - successes;
  // The prior-normalised evidence is the same for every p: compute it once, not per bisection step.
  const limit = Math.log(1 / alpha) - (logBeta(PRIOR_A + successes, PRIOR_B + f) - logBeta(PRIOR_A, PRIOR_B));
  const inside = (p: number) => -xlogy(successes, p) - xlogy(f, 1 - p) < limit;
  const mle = successes / trials;
  // The log-mixture is convex in p with its minimum at the observed rate, so each side is a bisection.
  const edge = (outside: number) => {
    if (inside(outside)) return outside;
    let lo = mle;
    let hi = outside;
    for (let i = 0; i < 44; i++) {
      const mid = (lo + hi) / 2;
      if (inside(mid)) lo = mid;
      else hi = mid;
    }
    return lo;
  };
  return { lower: edge(0), upper: edge(1) };
}
