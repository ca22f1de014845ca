import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normal, seeded } from "../../bench/lib/random.js";
import { alternativeGrid } from "./eprocess.js";
import {
  type Histogram,
  interpolatedQuantile,
  judgeLatency,
  latencyVerdictOf,
  quantileBounds,
  readBuckets,
  shapedQuantile,
  shapedSlowerThan,
  slowerThan,
  startLatency,
  stepLatency,
} from "./latency.js";
import { logLatencyJointEvidence } from "./latency-joint.js";
import type { Bucket, LatencyLook, LatencyTest } from "./types.js";

/** The router's Prometheus bounds, +Inf sent as the largest double as the providers do. */
const LE = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, Number.MAX_VALUE];
const TEST: LatencyTest = { alpha: 0.01, quantile: 0.95, maxRelativeIncrease: 0.2, minRequests: 200 };

function record(h: number[], seconds: number) {
  for (let i = 0; i < LE.length; i++) if (seconds <= (LE[i] as number)) h[i] = (h[i] as number) + 1;
}
const buckets = (h: number[]): Bucket[] => LE.map((le, i) => ({ le, count: h[i] as number }));

const LATENCY_TEST_GRID = alternativeGrid([0.15, 0.25, 0.35, 0.5, 0.7, 1, 1.5, 3], [2, 3, 3, 3, 2, 1, 1, 1]);

/** erf by Simpson's rule on its integral (a second implementation, not the judge's normal.ts). */
function erf(x: number): number {
  const steps = 2000;
  const h = Math.abs(x) / steps;
  const f = (t: number) => Math.exp(-t * t);
  let sum = f(0) + f(Math.abs(x));
  for (let i = 1; i < steps; i++) sum += (i % 2 === 1 ? 4 : 2) * f(i * h);
  const v = ((sum * h) / 3) * (2 / Math.sqrt(Math.PI));
  return x >= 0 ? v : -v;
}

/** Lognormal latencies (median 40 ms, p95 ≈ 91 ms), the canary's scaled by `factor`; a look every batch. */
function simulate(rand: () => number, factor: number, batches: number, test = TEST, each = [100, 300]) {
  const c = LE.map(() => 0);
  const b = LE.map(() => 0);
  const looks: LatencyLook[] = [{ at: 0, canary: buckets(c), baseline: buckets(b) }];
  // The judge folds increments: stepping it look by look is what judgeLatency does with all looks
  // (checked below), without re-reading every earlier look at each one.
  const s = startLatency(test);
  for (let t = 1; t <= batches && s.decided === undefined; t++) {
    const dc = LE.map(() => 0);
    const db = LE.map(() => 0);
    for (let i = 0; i < (each[0] as number); i++) record(dc, factor * 0.04 * Math.exp(0.5 * normal(rand)));
    for (let i = 0; i < (each[1] as number); i++) record(db, 0.04 * Math.exp(0.5 * normal(rand)));
    dc.forEach((x, i) => {
      c[i] = (c[i] as number) + x;
    });
    db.forEach((x, i) => {
      b[i] = (b[i] as number) + x;
    });
    looks.push({ at: t * 10_000, canary: buckets(c), baseline: buckets(b) });
    stepLatency(s, readBuckets(buckets(dc)) as Histogram, readBuckets(buckets(db)) as Histogram);
  }
  return Object.assign(latencyVerdictOf(s), { looks });
}

describe("histogram reading", () => {
  it("interpolates quantiles as Prometheus' histogram_quantile does", () => {
    const h = readBuckets([
      { le: 0.1, count: 50 },
      { le: 0.2, count: 100 },
      { le: Number.MAX_VALUE, count: 100 },
    ]);
    expect(h).toBeDefined();
    if (!h) return;
    expect(interpolatedQuantile(h, 0.5)).toBeCloseTo(0.1, 12);
    expect(interpolatedQuantile(h, 0.75)).toBeCloseTo(0.15, 12);
    expect(slowerThan(h, 0.15)).toBeCloseTo(25, 12);
    expect(slowerThan(h, 0.05)).toBeCloseTo(75, 12);
    // The judge's own reading (log-normal inside a bucket) puts the bounds around its quantile.
    const q = shapedQuantile(h, 0.75) as number;
    expect(q).toBeGreaterThan(0.1);
    expect(q).toBeLessThan(0.2);
    const bounds = quantileBounds(h, 0.75, 0.01);
    expect(bounds.atMost === undefined || (bounds.atMost as number) >= q).toBe(true);
    expect(bounds.below === undefined || (bounds.below as number) <= q).toBe(true);
  });

  it("reads buckets of log-normal latency exactly, where linear interpolation overstates the slow tail", () => {
    // Expected counts of 1,000,000 requests, median 48 ms, σ 0.5 (a canary p95 +20 % over 91 ms).
    const n = 1_000_000;
    const cdf = (x: number) => Math.min(1, 0.5 * (1 + erf(Math.log(x / 0.048) / 0.5 / Math.SQRT2)));
    // Whole requests, as a histogram holds (and never a count that goes down through rounding).
    const h = readBuckets(LE.map((le) => ({ le, count: le > 1e300 ? n : Math.round(n * cdf(le)) })));
    expect(h).toBeDefined();
    if (!h) return;
    for (const x of [0.06, 0.0833, 0.109, 0.1166, 0.2]) {
      expect(shapedSlowerThan(h, x) / n).toBeCloseTo(1 - cdf(x), 4);
    }
    expect(shapedQuantile(h, 0.95)).toBeCloseTo(0.048 * Math.exp(0.5 * 1.6448536), 4);
    // Prometheus-style reading at 116.6 ms: 6.3 % slower where 3.8 % are.
    expect(slowerThan(h, 0.1166) / n).toBeGreaterThan(0.06);
    expect(1 - cdf(0.1166)).toBeLessThan(0.04);
  });
  it("refuses impossible buckets (not cumulative, NaN, duplicated bounds)", () => {
    expect(
      readBuckets([
        { le: 0.1, count: 5 },
        { le: 0.2, count: 4 },
      ]),
    ).toBeUndefined();
    expect(readBuckets([{ le: Number.NaN, count: 5 }])).toBeUndefined();
    expect(
      readBuckets([
        { le: 0.1, count: 1 },
        { le: 0.1, count: 2 },
      ]),
    ).toBeUndefined();
    expect(readBuckets([])).toBeUndefined();
  });
});

describe("judgeLatency", () => {
  it("promotes an identical canary and says what it compared", () => {
    const v = simulate(seeded(1), 1, 60, TEST, [100, 900]);
    expect(v.outcome).toBe("Successful");
    expect(v.effect.unit).toBe("ratio");
    expect(v.explanation).toMatch(/^canary p95 \d+ ms vs baseline \d+ ms/);
  });
  it("rolls back p95 +60 % and 3×", () => {
    expect(simulate(seeded(2), 1.6, 60, TEST, [100, 900]).outcome).toBe("Failed");
    expect(simulate(seeded(3), 3, 60, TEST, [100, 900]).outcome).toBe("Failed");
  });
  it("keeps false rollbacks of identical canaries at or below α with a look after every batch", () => {
    const rand = seeded(99);
    const runs = 150;
    const test = { ...TEST, alpha: 0.05 };
    let failed = 0;
    for (let r = 0; r < runs; r++) if (simulate(rand, 1, 30, test).outcome === "Failed") failed++;
    expect(failed / runs).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / runs));
  }, 30_000);
  it("keeps false rollbacks at or below α at the tolerance's edge (canary p95 exactly +20 %)", () => {
    const rand = seeded(41);
    const runs = 150;
    const test = { ...TEST, alpha: 0.05 };
    let failed = 0;
    for (let r = 0; r < runs; r++) if (simulate(rand, 1.2, 30, test).outcome === "Failed") failed++;
    expect(failed / runs).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / runs));
  }, 30_000);
  it("keeps false rollbacks at or below α at the tolerance's edge over a long analysis (180 looks)", () => {
    // A look every 100 canary and 900 baseline requests for 18,000 canary requests (30 minutes at
    // 10 req/s): a reading biased towards "slower" piles up evidence over that many looks.
    const rand = seeded(43);
    const runs = 60;
    const test = { ...TEST, alpha: 0.05 };
    let failed = 0;
    for (let r = 0; r < runs; r++) {
      const s = startLatency(test);
      for (let t = 0; t < 180 && s.decided === undefined; t++) {
        const c = LE.map(() => 0);
        const b = LE.map(() => 0);
        for (let i = 0; i < 100; i++) record(c, 1.2 * 0.04 * Math.exp(0.5 * normal(rand)));
        for (let i = 0; i < 900; i++) record(b, 0.04 * Math.exp(0.5 * normal(rand)));
        const hc = readBuckets(buckets(c));
        const hb = readBuckets(buckets(b));
        if (hc && hb) stepLatency(s, hc, hb);
      }
      if (s.decided === "Failed") failed++;
    }
    expect(failed / runs).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / runs));
  }, 60_000);
  it("judges all requests so far over every candidate baseline quantile, and can decide on the first look", () => {
    const rand = seeded(8);
    const c = LE.map(() => 0);
    const b = LE.map(() => 0);
    const s = startLatency({ ...TEST, alpha: 0.01 });
    for (let t = 0; t < 5; t++) {
      const dc = LE.map(() => 0);
      const db = LE.map(() => 0);
      for (let i = 0; i < 100; i++) record(dc, 1.15 * 0.04 * Math.exp(0.5 * normal(rand)));
      for (let i = 0; i < 900; i++) record(db, 0.04 * Math.exp(0.5 * normal(rand)));
      dc.forEach((x, i) => {
        c[i] = (c[i] as number) + x;
      });
      db.forEach((x, i) => {
        b[i] = (b[i] as number) + x;
      });
      stepLatency(s, readBuckets(buckets(dc)) as Histogram, readBuckets(buckets(db)) as Histogram);
      const hb = readBuckets(buckets(b)) as Histogram;
      const hc = readBuckets(buckets(c)) as Histogram;
      // The state's evidence is the joint evidence of the sums (checked by brute force in latency-joint.test.ts).
      expect(s.current.fail).toBeCloseTo(logLatencyJointEvidence("up", hc, hb, 0.95, 0.2, LATENCY_TEST_GRID), 9);
      expect(s.current.safe).toBeCloseTo(logLatencyJointEvidence("down", hc, hb, 0.95, 0.2, LATENCY_TEST_GRID), 9);
    }
    // 3× slower, 300 canary requests against 2,700 baseline ones, all in one look.
    const big = simulate(seeded(9), 3, 1, TEST, [300, 2700]);
    expect(big.outcome).toBe("Failed");
    expect(big.canary.requests).toBe(300);
  });
  it("judging the looks gives the verdict of the stepped state", () => {
    const v = simulate(seeded(12), 1.3, 12, TEST, [100, 900]);
    const { looks, ...stepped } = v;
    expect(judgeLatency(looks, TEST)).toEqual(stepped);
  });
  it("histograms going backwards never promote", () => {
    const c = LE.map((_, i) => 100 * (i + 1));
    const looks: LatencyLook[] = [
      { at: 0, canary: buckets(c), baseline: buckets(c) },
      { at: 1, canary: buckets(c.map((x) => x * 2)), baseline: buckets(c.map((x) => x * 2)) },
      { at: 2, canary: buckets(c), baseline: buckets(c) },
      { at: 3, canary: buckets(c.map((x) => x * 50)), baseline: buckets(c.map((x) => x * 50)) },
    ];
    const v = judgeLatency(looks, { ...TEST, minRequests: 0 });
    expect(v.outcome).not.toBe("Successful");
    expect(v.explanation).toContain("went backwards");
  });
  it("never throws on hostile buckets or tests", () => {
    const num = fc.oneof(
      fc.double(),
      fc.integer({ min: -3, max: 10_000 }),
      fc.constantFrom(Number.NaN, 0, Number.MAX_VALUE),
    );
    const bucketList = fc.array(fc.record({ le: num, count: num }), { maxLength: 20 });
    const look = fc.record({ at: num, canary: bucketList, baseline: bucketList });
    const test = fc.record({ alpha: num, quantile: num, maxRelativeIncrease: num, minRequests: num });
    fc.assert(
      fc.property(fc.array(look, { maxLength: 8 }), test, (looks, t) => {
        const v = judgeLatency(looks as LatencyLook[], t);
        expect(Number.isFinite(v.threshold)).toBe(true);
        expect(v.explanation.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
