import { xlogy } from "./math.js";

/*
 * Mixture e-processes. Each alternative on a fixed grid keeps its own running log likelihood ratio,
 * a product of per-increment ratios against a null that may move between increments (it is computed
 * from looks before the increment, so it is predictable). Every such product is a test
 * supermartingale under the null, and so is their weighted average: by Ville's inequality the chance it ever
 * reaches 1/α is at most α, however often it is looked at and however the looks are thinned.
 */

/**
 * Log-odds (or log-ratio) steps from the null to each alternative, from 20 % past the tolerated edge
 * to 90× past it, and the prior weight of each. Every alternative costs the evidence the log of its
 * weight, so the weight sits where regressions worth stopping a rollout for live and can be seen
 * within an analysis' bound: steps 0.35–1.4 (1.4× to 4× past the edge; bench/decisions.ts's 1 % → 3 %
 * and 0.5 % → 4 % are 0.54 and 1.3–1.5). Steps below 0.2 (barely past the edge) would need tens of
 * thousands of errors to show; the large steps keep enough weight that a canary failing every
 * request is rolled back on its third failure (bench/hard-failure.ts).
 */
export const ALTERNATIVE_STEPS: readonly number[] = [0.2, 0.35, 0.5, 0.7, 1, 1.4, 2, 3, 4.5];
const WEIGHTS = [1, 2, 3, 3, 3, 3, 2, 1.5, 1.5];
const WEIGHT_SUM = WEIGHTS.reduce((a, b) => a + b, 0);
/** ln of each alternative's prior weight (they sum to 1). */
export const LOG_WEIGHTS: readonly number[] = WEIGHTS.map((w) => Math.log(w / WEIGHT_SUM));

/** ln Σ w_j·exp(x_j): the prior-weighted average of the alternatives' likelihood ratios. */
export function logWeightedMeanExp(xs: readonly number[], logWeights: readonly number[] = LOG_WEIGHTS): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < xs.length; j++) max = Math.max(max, (xs[j] as number) + (logWeights[j] as number));
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (let j = 0; j < xs.length; j++) sum += Math.exp((xs[j] as number) + (logWeights[j] as number) - max);
  return max + Math.log(sum);
}

/** A grid of alternatives (log-odds steps from the null) with the ln of their prior weights. */
export interface AlternativeGrid {
  readonly steps: readonly number[];
  readonly logWeights: readonly number[];
}

/** A grid from steps and positive weights (normalised here). */
export function alternativeGrid(steps: readonly number[], weights: readonly number[]): AlternativeGrid {
  const sum = weights.reduce((a, b) => a + b, 0);
  return { steps, logWeights: weights.map((w) => Math.log(w / sum)) };
}

/** The error-rate grid above. */
export const ERROR_GRID: AlternativeGrid = { steps: ALTERNATIVE_STEPS, logWeights: LOG_WEIGHTS };

/** Which way the alternatives lie from the null: "up" tests "not worse than", "down" tests "not better than". */
export type Direction = "up" | "down";

/** Running log likelihood ratios of one grid of alternatives; `logEvidence` is the mixture's ln e-value. */
export interface EProcess {
  readonly direction: Direction;
  readonly logRatios: number[];
}

export function newEProcess(direction: Direction): EProcess {
  return { direction, logRatios: ALTERNATIVE_STEPS.map(() => 0) };
}

/** ln of the mixture e-value so far. */
export function logEvidence(e: EProcess): number {
  return logWeightedMeanExp(e.logRatios);
}

function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Add `hits` of `trials` Bernoulli outcomes against a null rate p0 (e.g. canary errors against a tolerated rate). */
export function addBernoulli(e: EProcess, hits: number, trials: number, p0: number): void {
  // A null of p0 ≥ 1 (for "up") or ≤ 0 (for "down") cannot be rejected: such an increment carries no evidence.
  if (!(trials > 0) || !(p0 > 0 && p0 < 1)) return;
  const misses = trials - hits;
  const logit0 = Math.log(p0 / (1 - p0));
  const sign = e.direction === "up" ? 1 : -1;
  for (let j = 0; j < ALTERNATIVE_STEPS.length; j++) {
    const p1 = logistic(logit0 + sign * (ALTERNATIVE_STEPS[j] as number));
    const step = xlogy(hits, p1 / p0) + xlogy(misses, (1 - p1) / (1 - p0));
    e.logRatios[j] = (e.logRatios[j] as number) + step;
  }
}

/**
 * Add one increment's errors conditioned on their total: if canary and baseline fail at rates r_c and
 * r_b, then given k errors among n_c and n_b requests, the canary's share is Binomial(k, θ) with
 * θ = n_c·ρ/(n_c·ρ + n_b) and ρ = r_c/r_b. The baseline's own rate (drift, bursts hitting both) cancels.
 */
export function addSplit(
  e: EProcess,
  canaryHits: number,
  baselineHits: number,
  canaryTrials: number,
  baselineTrials: number,
  ratio0: number,
): void {
  const k = canaryHits + baselineHits;
  if (!(k > 0) || !(canaryTrials > 0) || !(baselineTrials > 0) || !(ratio0 > 0)) return;
  const share = (ratio: number) => (canaryTrials * ratio) / (canaryTrials * ratio + baselineTrials);
  const theta0 = share(ratio0);
  if (!(theta0 > 0 && theta0 < 1)) return;
  const sign = e.direction === "up" ? 1 : -1;
  for (let j = 0; j < ALTERNATIVE_STEPS.length; j++) {
    const theta1 = share(ratio0 * Math.exp(sign * (ALTERNATIVE_STEPS[j] as number)));
    if (!(theta1 > 0 && theta1 < 1)) continue;
    const step = xlogy(canaryHits, theta1 / theta0) + xlogy(baselineHits, (1 - theta1) / (1 - theta0));
    e.logRatios[j] = (e.logRatios[j] as number) + step;
  }
}

/**
 * ln of the mixture e-value of `hits` among `trials` Bernoulli outcomes against a fixed null rate p0,
 * from the totals. For every outcome sequence it falls as p0 rises ("up") or rises with p0 ("down"):
 * each alternative's log ratio has derivative −trials·(p1 − p0) in logit(p0). So evaluating it at a
 * null that is, with high probability, at least as far from the data as the true one (e.g. from a
 * baseline's confidence sequence) never overstates the evidence.
 */
export function logBernoulliEvidence(
  direction: Direction,
  hits: number,
  trials: number,
  p0: number,
  grid: AlternativeGrid = ERROR_GRID,
): number {
  if (!(trials > 0) || !(p0 > 0 && p0 < 1)) return 0;
  const misses = trials - hits;
  const logit0 = Math.log(p0 / (1 - p0));
  const sign = direction === "up" ? 1 : -1;
  const logs = grid.steps.map((g) => {
    const p1 = logistic(logit0 + sign * g);
    return xlogy(hits, p1 / p0) + xlogy(misses, (1 - p1) / (1 - p0));
  });
  return logWeightedMeanExp(logs, grid.logWeights);
}
