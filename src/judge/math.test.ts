import { describe, expect, it } from "vitest";
import { logBeta, logGamma, logMeanExp, logMixtureAgainst, rateConfidence } from "./math.js";

/**
 * The beta-binomial mixture by brute force, no special functions: with p = sin²u the Jeffreys prior is
 * uniform in u over (0, π/2), so the mixture is a plain average of likelihood ratios over a grid of u.
 */
function bruteMixture(s: number, n: number, p0: number): number {
  const steps = 200_000;
  let sum = 0;
  for (let i = 0; i < steps; i++) {
    const p = Math.sin((((i + 0.5) / steps) * Math.PI) / 2) ** 2;
    sum += Math.exp(s * Math.log(p / p0) + (n - s) * Math.log((1 - p) / (1 - p0)));
  }
  return Math.log(sum / steps);
}

describe("logGamma", () => {
  it("matches factorials and Γ(1/2) = √π", () => {
    let fact = 1;
    for (let n = 1; n <= 20; n++) {
      expect(logGamma(n)).toBeCloseTo(Math.log(fact), 10);
      fact *= n;
    }
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logBeta(2, 3)).toBeCloseTo(Math.log(1 / 12), 12);
  });
});

describe("logMeanExp", () => {
  it("does not overflow and equals the direct value when small", () => {
    expect(logMeanExp([1000, 1000])).toBeCloseTo(1000, 10);
    expect(logMeanExp([0, Math.log(3)])).toBeCloseTo(Math.log(2), 12);
  });
});

describe("the beta-binomial mixture", () => {
  it("equals a brute-force integral over the prior", () => {
    for (const [s, n, p0] of [
      [0, 50, 0.01],
      [3, 100, 0.01],
      [20, 200, 0.05],
      [7, 40, 0.5],
    ] as const) {
      expect(logMixtureAgainst(s, n, p0)).toBeCloseTo(bruteMixture(s, n, p0), 3);
    }
  });
  it("gives a confidence interval holding the observed rate, narrowing with data", () => {
    const small = rateConfidence(10, 1000, 0.01);
    const large = rateConfidence(100, 10_000, 0.01);
    expect(small.lower).toBeLessThan(0.01);
    expect(small.upper).toBeGreaterThan(0.01);
    expect(large.upper - large.lower).toBeLessThan(small.upper - small.lower);
    // At each edge the mixture is exactly at 1/α (the interval is the inversion of the test).
    expect(logMixtureAgainst(10, 1000, small.upper)).toBeCloseTo(Math.log(100), 6);
    expect(logMixtureAgainst(10, 1000, small.lower)).toBeCloseTo(Math.log(100), 6);
    expect(rateConfidence(0, 0, 0.01)).toEqual({ lower: 0, upper: 1 });
    expect(rateConfidence(0, 500, 0.01).lower).toBe(0);
  });
});
