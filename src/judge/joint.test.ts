import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { logBernoulliEvidence } from "./eprocess.js";
import { BASELINE_STEPS, logJointEvidence } from "./joint.js";
import { logMeanExp } from "./math.js";

const tolerated = (r: number) => Math.max(r * 1.5, r + 0.005);

/** The baseline's evidence against rate r, from binomial likelihoods written out here (a second implementation). */
function baselineLog(h: number, n: number, r: number): number {
  const ratios = BASELINE_STEPS.map((s) => {
    const q = 1 / (1 + Math.exp(-(Math.log(r / (1 - r)) + s)));
    return h * Math.log(q / r) + (n - h) * Math.log((1 - q) / (1 - r));
  });
  return logMeanExp(ratios);
}

/** The infimum over candidate baseline rates, by brute force on a fine grid (an independent check). */
function bruteInfimum(direction: "up" | "down", ch: number, ct: number, bh: number, bt: number, cap = 1): number {
  let inf = Number.POSITIVE_INFINITY;
  for (let i = 1; i < 50_000; i++) {
    const r = i / 50_000;
    if (r > cap) break;
    const p0 = tolerated(r);
    const c = p0 >= 1 ? 0 : logBernoulliEvidence(direction, ch, ct, p0);
    inf = Math.min(inf, c + baselineLog(bh, bt, r));
  }
  return inf;
}

describe("joint evidence over the baseline's unknown rate", () => {
  it("is a lower bound of the infimum, and close to it (within 0.25 nats)", () => {
    for (const [ch, ct, bh, bt] of [
      [12, 300, 13, 2700],
      [30, 1000, 90, 9000],
      [100, 10_000, 900, 90_000],
      [0, 500, 2, 4500],
    ] as const) {
      for (const dir of ["up", "down"] as const) {
        const joint = logJointEvidence(dir, { hits: ch, trials: ct }, { hits: bh, trials: bt }, tolerated);
        const brute = bruteInfimum(dir, ch, ct, bh, bt);
        expect(joint).toBeLessThanOrEqual(brute + 1e-9);
        expect(joint).toBeGreaterThan(brute - 0.25);
      }
    }
  });

  it("with a cap on the baseline's rate, is a lower bound of the infimum over rates up to the cap", () => {
    for (const [ch, ct, bh, bt, cap] of [
      [12, 300, 13, 2700, 0.0066],
      [30, 1000, 90, 9000, 0.0066],
      [30, 1000, 90, 9000, 0.02],
      [0, 500, 2, 4500, 0.001],
    ] as const) {
      const capped = logJointEvidence("up", { hits: ch, trials: ct }, { hits: bh, trials: bt }, tolerated, cap);
      const brute = bruteInfimum("up", ch, ct, bh, bt, cap);
      expect(capped).toBeLessThanOrEqual(brute + 1e-9);
      expect(capped).toBeGreaterThan(brute - 0.25);
      // Fewer candidate rates: never less evidence than without the cap.
      const whole = logJointEvidence("up", { hits: ch, trials: ct }, { hits: bh, trials: bt }, tolerated);
      expect(capped).toBeGreaterThanOrEqual(whole - 1e-9);
    }
  });

  it("rolls back a canary failing every request within a handful of requests against a clean baseline", () => {
    const e = logJointEvidence("up", { hits: 3, trials: 3 }, { hits: 0, trials: 60 }, tolerated);
    expect(e).toBeGreaterThan(Math.log(100));
  });

  it("never throws and is never NaN on any counts", () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(1000), fc.nat(1000), fc.nat(1000), (a, b, c, d) => {
        const canary = { hits: Math.min(a, b), trials: b };
        const baseline = { hits: Math.min(c, d), trials: d };
        for (const dir of ["up", "down"] as const) {
          const v = logJointEvidence(dir, canary, baseline, tolerated);
          expect(Number.isNaN(v)).toBe(false);
        }
      }),
      { numRuns: 300, seed: 13 },
    );
  });
});
