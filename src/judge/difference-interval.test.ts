import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { seeded } from "../../bench/lib/random.js";
import { differenceInterval } from "./difference-interval.js";
import { rateConfidence } from "./math.js";

/** Binomial draw by coin flips (small n only). */
function binomial(rand: () => number, n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (rand() < p) k++;
  return k;
}

describe("differenceInterval", () => {
  it("holds the true difference at every look of a run, in at least 1 − α of runs", { timeout: 60_000 }, () => {
    // α 20 % so that a miss rate above α would show in 60 runs; the interval is built to hold far more often.
    const alpha = 0.2;
    let missed = 0;
    const runs = 60;
    for (let r = 0; r < runs; r++) {
      const rand = seeded(1000 + r);
      const c = { hits: 0, trials: 0 };
      const b = { hits: 0, trials: 0 };
      let miss = false;
      for (let look = 0; look < 8 && !miss; look++) {
        c.hits += binomial(rand, 40, 0.03);
        c.trials += 40;
        b.hits += binomial(rand, 160, 0.01);
        b.trials += 160;
        const { lower, upper } = differenceInterval(c, b, alpha);
        if (!(lower < 0.02 && 0.02 < upper)) miss = true;
      }
      if (miss) missed++;
    }
    expect(missed / runs).toBeLessThanOrEqual(alpha);
  });

  it("is narrower than subtracting each revision's own interval, and clear of zero for 0.5 % → 4 %", () => {
    const canary = { hits: 16, trials: 400 };
    const baseline = { hits: 18, trials: 3600 };
    const joint = differenceInterval(canary, baseline, 0.01);
    const c = rateConfidence(canary.hits, canary.trials, 0.005);
    const b = rateConfidence(baseline.hits, baseline.trials, 0.005);
    expect(joint.lower).toBeGreaterThan(c.lower - b.upper);
    expect(joint.upper).toBeLessThan(c.upper - b.lower);
    expect(joint.lower).toBeGreaterThan(0);
    expect(joint.lower).toBeLessThan(0.04 - 0.005);
    expect(joint.upper).toBeGreaterThan(0.04 - 0.005);
  });

  it("is the whole range without requests on both sides", () => {
    expect(differenceInterval({ hits: 0, trials: 0 }, { hits: 3, trials: 100 }, 0.01)).toEqual({ lower: -1, upper: 1 });
    expect(differenceInterval({ hits: 1, trials: 10 }, { hits: 0, trials: 0 }, 0.01)).toEqual({ lower: -1, upper: 1 });
  });

  it("property: any counts give an ordered interval inside [−1, 1] around the observed difference", () => {
    const counts = fc
      .tuple(fc.integer({ min: 1, max: 200_000 }), fc.double({ min: 0, max: 1, noNaN: true }))
      .map(([trials, share]) => ({ trials, hits: Math.floor(trials * share) }));
    fc.assert(
      fc.property(counts, counts, fc.constantFrom(0.001, 0.01, 0.05), (canary, baseline, alpha) => {
        const { lower, upper } = differenceInterval(canary, baseline, alpha);
        const estimate = canary.hits / canary.trials - baseline.hits / baseline.trials;
        expect(lower).toBeGreaterThanOrEqual(-1);
        expect(upper).toBeLessThanOrEqual(1);
        expect(lower).toBeLessThanOrEqual(estimate + 1e-6);
        expect(upper).toBeGreaterThanOrEqual(estimate - 1e-6);
      }),
      { numRuns: 60 },
    );
  });
});
