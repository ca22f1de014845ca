import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { binomial, seeded } from "../../bench/lib/random.js";
import { errorRateVerdict, judgeErrorRate, startErrorRate, stepErrorRate } from "./error-rate.js";
import { logJointEvidence } from "./joint.js";
import type { CountLook, ErrorRateTest } from "./types.js";

const TEST: ErrorRateTest = { alpha: 0.01, maxRelativeIncrease: 0.5, maxAbsoluteIncrease: 0.005, minRequests: 200 };

/** Cumulative looks from per-look increments. */
function looksOf(increments: [number, number, number, number][]): CountLook[] {
  const looks: CountLook[] = [{ at: 0, canary: { requests: 0, errors: 0 }, baseline: { requests: 0, errors: 0 } }];
  let t = 0;
  for (const [cn, ce, bn, be] of increments) {
    const p = looks[looks.length - 1] as CountLook;
    t += 10_000;
    looks.push({
      at: t,
      canary: { requests: p.canary.requests + cn, errors: p.canary.errors + ce },
      baseline: { requests: p.baseline.requests + bn, errors: p.baseline.errors + be },
    });
  }
  return looks;
}

/**
 * Simulated analysis with continuous monitoring: the judge looks after every batch. Returns the
 * outcome and canary requests when it decided.
 */
function simulate(
  rand: () => number,
  canaryRate: number,
  baselineRate: number,
  test: ErrorRateTest,
  batches: number,
  canaryPerBatch = 100,
  baselinePerBatch = 900,
) {
  const s = startErrorRate(test);
  for (let i = 0; i < batches && s.decided === undefined; i++) {
    stepErrorRate(
      s,
      { requests: canaryPerBatch, errors: binomial(rand, canaryPerBatch, canaryRate) },
      { requests: baselinePerBatch, errors: binomial(rand, baselinePerBatch, baselineRate) },
    );
  }
  return { outcome: s.decided ?? "Running", canaryRequests: s.totals.canary.requests };
}

describe("judgeErrorRate on known cases", () => {
  it("fails a canary that fails every request within a handful of requests", () => {
    const v = judgeErrorRate(
      looksOf([
        [5, 5, 45, 0],
        [5, 5, 45, 0],
        [5, 5, 45, 0],
      ]),
      TEST,
    );
    expect(v.outcome).toBe("Failed");
    // Decided at the first increment: 5 failed canary requests against 45 clean baseline ones.
    expect(v.canary).toEqual({ requests: 5, errors: 5 });
    expect(v.explanation).toMatch(
      /canary error rate 100\.0% vs baseline 0\.0%.*after 5 canary requests; evidence .* > 1\/α = 100: Failed/,
    );
  });

  it("fails on the third failed request of a canary with 5 % of the traffic (bench/hard-failure.ts)", () => {
    const test = { ...TEST, maxRelativeIncrease: 0.75 };
    expect(judgeErrorRate(looksOf([[2, 2, 38, 0]]), test).outcome).toBe("Running");
    expect(judgeErrorRate(looksOf([[3, 3, 57, 0]]), test).outcome).toBe("Failed");
  });

  it("promotes a canary with no errors on the absolute tolerance once past minRequests", () => {
    const v = judgeErrorRate(looksOf(Array.from({ length: 30 }, () => [100, 0, 900, 0])), TEST);
    expect(v.outcome).toBe("Successful");
    expect(v.canary.requests).toBeGreaterThanOrEqual(200);
    expect(v.effect.unit).toBe("points");
    expect(v.effect.lower).toBeLessThanOrEqual(0);
    expect(v.effect.upper).toBeGreaterThan(0);
  });

  it("shows a Failed verdict's interval above zero: it comes from the evidence that decided", () => {
    // Subtracting each revision's own interval reached below zero in 192 of 300 such Failed verdicts.
    const test = { alpha: 0.005, maxRelativeIncrease: 0.75, maxAbsoluteIncrease: 0.005, minRequests: 100 };
    for (let r = 0; r < 40; r++) {
      const rand = seeded(77 + r);
      const s = startErrorRate(test);
      for (let i = 0; i < 180 && s.decided === undefined; i++)
        stepErrorRate(
          s,
          { requests: 100, errors: binomial(rand, 100, 0.04) },
          { requests: 900, errors: binomial(rand, 900, 0.005) },
        );
      const v = errorRateVerdict(s);
      expect(v.outcome).toBe("Failed");
      expect(v.effect.lower, v.explanation).toBeGreaterThan(0);
      expect(v.explanation).toMatch(/\(\+[\d.]+ pts, 99\.5% CI \+[\d.]+ to \+[\d.]+\)/);
    }
  });

  it("never promotes below minRequests", () => {
    const v = judgeErrorRate(looksOf(Array.from({ length: 30 }, () => [100, 0, 900, 0])), {
      ...TEST,
      minRequests: 1_000_000,
    });
    expect(v.outcome).toBe("Running");
    expect(v.moreRequests).toBeGreaterThanOrEqual(1_000_000 - 3000);
  });

  it("keeps running and estimates more requests while the evidence is thin", () => {
    const v = judgeErrorRate(looksOf([[100, 3, 900, 9]]), TEST);
    expect(v.outcome).toBe("Running");
    expect(v.explanation).toContain("of 1/α = 100: Running");
  });

  it("is sticky: Failed on a prefix stays Failed whatever follows", () => {
    const bad = Array.from({ length: 5 }, () => [20, 20, 180, 0] as [number, number, number, number]);
    const good = Array.from({ length: 200 }, () => [100, 0, 900, 0] as [number, number, number, number]);
    expect(judgeErrorRate(looksOf([...bad, ...good]), TEST).outcome).toBe("Failed");
  });

  it("names the field of a test that makes no sense, and does not judge", () => {
    const v = judgeErrorRate(looksOf([[100, 50, 100, 0]]), { ...TEST, alpha: 2 });
    expect(v.outcome).toBe("Inconclusive");
    expect(v.explanation).toContain("alpha must be between");
  });

  it("a counter going backwards (a restart) never promotes and says so", () => {
    const looks = looksOf(Array.from({ length: 30 }, () => [100, 0, 900, 0]));
    looks.splice(10, 0, { at: 1, canary: { requests: 0, errors: 0 }, baseline: { requests: 0, errors: 0 } });
    const v = judgeErrorRate(looks, TEST);
    expect(v.outcome).toBe("Running");
    expect(v.explanation).toContain("counters went backwards");
  });

  it("accepts a thinned list of looks (every fifth) and reaches the same kind of verdict", () => {
    const looks = looksOf(Array.from({ length: 40 }, () => [100, 8, 900, 9]));
    const thinned = looks.filter((_, i) => i % 5 === 0);
    expect(judgeErrorRate(looks, TEST).outcome).toBe("Failed");
    expect(judgeErrorRate(thinned, TEST).outcome).toBe("Failed");
  });
});

describe("judgeErrorRate on hostile numbers", () => {
  const num = fc.oneof(
    fc.double(),
    fc.integer({ min: -5, max: 1_000_000 }),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, 0, Number.MAX_VALUE),
  );
  const look = fc.record({
    at: num,
    canary: fc.record({ requests: num, errors: num }),
    baseline: fc.record({ requests: num, errors: num }),
  });
  const test = fc.record({ alpha: num, maxRelativeIncrease: num, maxAbsoluteIncrease: num, minRequests: num });

  it("never throws and always answers with a finite threshold and an explanation", () => {
    fc.assert(
      fc.property(fc.array(look, { maxLength: 30 }), test, (looks, t) => {
        const v = judgeErrorRate(looks as CountLook[], t);
        expect(["Running", "Successful", "Failed", "Inconclusive"]).toContain(v.outcome);
        expect(Number.isFinite(v.threshold)).toBe(true);
        expect(v.explanation.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it("a decreasing counter anywhere never yields Successful", () => {
    const inc = fc.tuple(
      fc.integer({ min: 0, max: 500 }),
      fc.integer({ min: 0, max: 5 }),
      fc.integer({ min: 0, max: 5000 }),
      fc.integer({ min: 0, max: 50 }),
    );
    fc.assert(
      fc.property(fc.array(inc, { minLength: 2, maxLength: 60 }), fc.nat(), (incs, at) => {
        const looks = looksOf(incs.map(([cn, ce, bn, be]) => [cn, Math.min(ce, cn), bn, Math.min(be, bn)]));
        const i = 1 + (at % (looks.length - 1));
        const prev = looks[i - 1] as CountLook;
        // Insert a look whose canary requests are below the one before it.
        looks.splice(i, 0, { ...prev, canary: { requests: Math.max(0, prev.canary.requests - 1), errors: 0 } });
        if (prev.canary.requests === 0) return;
        expect(judgeErrorRate(looks, { ...TEST, minRequests: 0 }).outcome).not.toBe("Successful");
      }),
      { numRuns: 300 },
    );
  });
});

describe("judgeErrorRate in simulation (continuous monitoring, a look after every batch)", () => {
  it("keeps false rollbacks at or below α under the null, also at the tolerance's edge", () => {
    const rand = seeded(13);
    const alpha = 0.05;
    const runs = 600;
    const test = { alpha, maxRelativeIncrease: 0.2, maxAbsoluteIncrease: 0, minRequests: 0 };
    // The least favourable null: canary exactly 20 % worse, as tolerated; and an identical canary.
    for (const [canary, baseline] of [
      [0.06, 0.05],
      [0.05, 0.05],
    ] as const) {
      let failed = 0;
      for (let r = 0; r < runs; r++) if (simulate(rand, canary, baseline, test, 60).outcome === "Failed") failed++;
      // α plus three standard errors of the simulation itself.
      expect(failed / runs).toBeLessThanOrEqual(alpha + 3 * Math.sqrt((alpha * (1 - alpha)) / runs));
    }
  }, 30_000);

  it("keeps false rollbacks at or below α at the edge of the absolute and the default tolerance", () => {
    const rand = seeded(17);
    const alpha = 0.05;
    const runs = 300;
    // Canary exactly at the tolerated edge: +0.5 points over 0.5 %, and +75 % over 1 % (the defaults).
    // And +0.5 points over 0.4 %: a ratio of 2.25, past +75 %, so only the absolute part holds, with
    // the baseline below abs/rel where the joint evidence searches.
    for (const [canary, baseline, rel] of [
      [0.01, 0.005, 0],
      [0.0175, 0.01, 0.75],
      [0.009, 0.004, 0.75],
    ] as const) {
      const test = { alpha, maxRelativeIncrease: rel, maxAbsoluteIncrease: 0.005, minRequests: 0 };
      let failed = 0;
      for (let r = 0; r < runs; r++) if (simulate(rand, canary, baseline, test, 40).outcome === "Failed") failed++;
      expect(failed / runs, `${canary} vs ${baseline}`).toBeLessThanOrEqual(
        alpha + 3 * Math.sqrt((alpha * (1 - alpha)) / runs),
      );
    }
  }, 30_000);

  it("mostly promotes identical canaries at 0.1 %, 1 % and 5 % and rolls back 1 % → 3 %", () => {
    const rand = seeded(7);
    for (const rate of [0.001, 0.01, 0.05]) {
      let promoted = 0;
      for (let r = 0; r < 40; r++) if (simulate(rand, rate, rate, TEST, 300).outcome === "Successful") promoted++;
      expect(promoted, `identical at ${rate}`).toBeGreaterThanOrEqual(36);
    }
    let rolledBack = 0;
    for (let r = 0; r < 40; r++) if (simulate(rand, 0.03, 0.01, TEST, 300).outcome === "Failed") rolledBack++;
    expect(rolledBack).toBe(40);
  });

  it("does not roll back an identical canary when error bursts hit both revisions at once", () => {
    const rand = seeded(21);
    let rolledBack = 0;
    const runs = 200;
    for (let r = 0; r < runs; r++) {
      const s = startErrorRate(TEST);
      for (let i = 0; i < 180 && s.decided === undefined; i++) {
        const rate = rand() < 0.03 ? 0.3 : 0.005;
        stepErrorRate(
          s,
          { requests: 100, errors: binomial(rand, 100, rate) },
          { requests: 900, errors: binomial(rand, 900, rate) },
        );
      }
      if (s.decided === "Failed") rolledBack++;
    }
    expect(rolledBack / runs).toBeLessThanOrEqual(0.03);
  });

  it("verdict for a stepped state equals the verdict from looks", () => {
    const looks = looksOf(Array.from({ length: 20 }, () => [100, 2, 900, 10]));
    const s = startErrorRate(TEST);
    for (let i = 1; i < looks.length; i++) {
      const a = looks[i - 1] as CountLook;
      const b = looks[i] as CountLook;
      stepErrorRate(
        s,
        { requests: b.canary.requests - a.canary.requests, errors: b.canary.errors - a.canary.errors },
        { requests: b.baseline.requests - a.baseline.requests, errors: b.baseline.errors - a.baseline.errors },
      );
    }
    expect(errorRateVerdict(s)).toEqual(judgeErrorRate(looks, TEST));
  });
});

describe("the two routes to Failed (intersection-union)", () => {
  /** ln of the split evidence from binomial likelihoods written out here, against ρ ≤ ρ0. */
  function splitLog(incs: [number, number, number, number][], ratio0: number): number {
    const steps = [0.2, 0.35, 0.5, 0.7, 1, 1.4, 2, 3, 4.5];
    const weights = [1, 2, 3, 3, 3, 3, 2, 1.5, 1.5].map((w) => w / 20);
    const logs = steps.map((g) => {
      let sum = 0;
      for (const [cn, ce, bn, be] of incs) {
        if (ce + be === 0) continue;
        const th = (r: number) => (cn * r) / (cn * r + bn);
        const t0 = th(ratio0);
        const t1 = th(ratio0 * Math.exp(g));
        sum += ce * Math.log(t1 / t0) + be * Math.log((1 - t1) / (1 - t0));
      }
      return sum;
    });
    const max = Math.max(...logs);
    return max + Math.log(logs.reduce((a, l, j) => a + (weights[j] as number) * Math.exp(l - max), 0));
  }

  it("each route is the best it has reached at any look, the absolute one against r_b + abs for r_b up to abs/rel", () => {
    const rand = seeded(5);
    const test = { alpha: 1e-12, maxRelativeIncrease: 0.75, maxAbsoluteIncrease: 0.005, minRequests: 0 };
    const s = startErrorRate(test);
    const incs: [number, number, number, number][] = [];
    let bestAbs = 0;
    let bestSplit = 0;
    for (let i = 0; i < 40; i++) {
      const inc: [number, number, number, number] = [100, binomial(rand, 100, 0.03), 900, binomial(rand, 900, 0.01)];
      incs.push(inc);
      stepErrorRate(s, { requests: inc[0], errors: inc[1] }, { requests: inc[2], errors: inc[3] });
      const t = s.totals;
      // Once crossed, a route stays crossed: the judge stops walking it (the walk is what costs).
      if (bestAbs < Math.log(1e12))
        bestAbs = Math.max(
          bestAbs,
          logJointEvidence(
            "up",
            { hits: t.canary.errors, trials: t.canary.requests },
            { hits: t.baseline.errors, trials: t.baseline.requests },
            (r) => r + 0.005,
            0.005 / 0.75,
          ),
        );
      bestSplit = Math.max(bestSplit, splitLog(incs, 1.75));
    }
    expect(s.decided).toBeUndefined();
    expect(s.failPeak.absolute).toBeCloseTo(bestAbs, 9);
    expect(s.failPeak.ratio).toBeCloseTo(bestSplit, 9);
    expect(errorRateVerdict(s).evidence).toBeCloseTo(Math.exp(Math.min(bestAbs, bestSplit)), 6);
  });

  it("rolls back 1 % → 3 % faster than a joint test against the whole tolerance would", () => {
    // 3,000 canary requests at 3 % against 27,000 at 1 %: past the absolute edge (1.5 %) by far,
    // close to the whole tolerance's edge (1.75 %).
    const canary = { hits: 90, trials: 3000 };
    const baseline = { hits: 270, trials: 27_000 };
    const absOnly = logJointEvidence("up", canary, baseline, (r) => r + 0.005);
    const whole = logJointEvidence("up", canary, baseline, (r) => Math.max(1.75 * r, r + 0.005));
    expect(absOnly).toBeGreaterThan(Math.log(200));
    expect(whole).toBeLessThan(Math.log(200));
  });
});
