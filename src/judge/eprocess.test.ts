import { describe, expect, it } from "vitest";
import { ALTERNATIVE_STEPS, addBernoulli, addSplit, LOG_WEIGHTS, logEvidence, newEProcess } from "./eprocess.js";

/** The prior weights written out here: 1, 2, 3, 3, 3, 3, 2, 1.5, 1.5 out of 20. */
const WEIGHTS = [1, 2, 3, 3, 3, 3, 2, 1.5, 1.5].map((w) => w / 20);
const weightedMean = (xs: number[]) => xs.reduce((a, x, j) => a + (WEIGHTS[j] as number) * x, 0);

/** A binomial pmf from scratch (log space), to check the e-process against likelihoods computed directly. */
function logBinomPmf(k: number, n: number, p: number): number {
  let c = 0;
  for (let i = 0; i < k; i++) c += Math.log(n - i) - Math.log(i + 1);
  return c + k * Math.log(p) + (n - k) * Math.log(1 - p);
}

describe("mixture e-processes", () => {
  it("are the average of the alternatives' likelihood ratios (Bernoulli)", () => {
    const e = newEProcess("up");
    addBernoulli(e, 3, 100, 0.01);
    addBernoulli(e, 5, 200, 0.01);
    const ratios = ALTERNATIVE_STEPS.map((g) => {
      const p1 = 1 / (1 + Math.exp(-(Math.log(0.01 / 0.99) + g)));
      return Math.exp(
        logBinomPmf(3, 100, p1) - logBinomPmf(3, 100, 0.01) + logBinomPmf(5, 200, p1) - logBinomPmf(5, 200, 0.01),
      );
    });
    expect(Math.exp(logEvidence(e))).toBeCloseTo(weightedMean(ratios), 8);
  });

  it("conditions on the split: the baseline's own rate does not matter, only the canary's share", () => {
    const e = newEProcess("up");
    addSplit(e, 6, 4, 100, 100, 1.2);
    const theta0 = 1.2 / 2.2;
    const ratios = ALTERNATIVE_STEPS.map((g) => {
      const r = 1.2 * Math.exp(g);
      const theta1 = r / (1 + r);
      return Math.exp(logBinomPmf(6, 10, theta1) - logBinomPmf(6, 10, theta0));
    });
    expect(Math.exp(logEvidence(e))).toBeCloseTo(weightedMean(ratios), 8);
  });

  it("matches Wald's SPRT log likelihood ratio for a single alternative", () => {
    // Wald: each failure adds ln(p1/p0), each success ln((1−p1)/(1−p0)).
    const e = newEProcess("up");
    addBernoulli(e, 4, 250, 0.01);
    const g = ALTERNATIVE_STEPS[ALTERNATIVE_STEPS.length - 1] as number;
    const p1 = 1 / (1 + Math.exp(-(Math.log(0.01 / 0.99) + g)));
    const wald = 4 * Math.log(p1 / 0.01) + 246 * Math.log((1 - p1) / 0.99);
    expect(e.logRatios[e.logRatios.length - 1]).toBeCloseTo(wald, 10);
  });

  it("weights sum to 1 and stay on the alternatives' grid", () => {
    expect(LOG_WEIGHTS.length).toBe(ALTERNATIVE_STEPS.length);
    expect(LOG_WEIGHTS.reduce((a, l) => a + Math.exp(l), 0)).toBeCloseTo(1, 12);
    expect(WEIGHTS.length).toBe(ALTERNATIVE_STEPS.length);
  });

  it("carries no evidence where the null cannot be rejected", () => {
    const e = newEProcess("up");
    addBernoulli(e, 5, 5, 1);
    addBernoulli(e, 5, 5, Number.NaN);
    addSplit(e, 5, 0, 10, 0, 1.5);
    addSplit(e, 0, 0, 10, 10, 1.5);
    expect(logEvidence(e)).toBe(0);
  });
});
