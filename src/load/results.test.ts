import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LoadResults } from "./results.js";

describe("load results", () => {
  it("counts statuses and failures apart and calls 5xx and failures errors", () => {
    const r = new LoadResults();
    r.answered(200, 5);
    r.answered(200, 6);
    r.answered(503, 7);
    r.answered(404, 1);
    r.failed("timeout", 1000);
    expect(Object.fromEntries(r.statuses)).toEqual({ 200: 2, 503: 1, 404: 1 });
    expect(Object.fromEntries(r.failures)).toEqual({ timeout: 1 });
    expect(r.completed).toBe(5);
    expect(r.errors()).toBe(2);
  });

  it("reports quantiles within a bucket's width (about 9%) of the exact ones", () => {
    const r = new LoadResults();
    for (let i = 1; i <= 1000; i++) r.answered(200, i);
    const s = r.latencySummary();
    expect(s.fastest).toBe(1);
    expect(s.slowest).toBe(1000);
    expect(s.mean).toBeCloseTo(500.5, 5);
    expect(Math.abs(s.p50 - 500) / 500).toBeLessThan(0.1);
    expect(Math.abs(s.p99 - 990) / 990).toBeLessThan(0.1);
  });

  it("is NaN and barless before anything completed", () => {
    const r = new LoadResults();
    expect(r.latencySummary().p50).toBeNaN();
    expect(r.bars()).toEqual([]);
  });

  it("bars hold every request, in increasing bounds, at most the rows asked", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 100_000, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 30 }),
        (latencies, rows) => {
          const r = new LoadResults();
          for (const ms of latencies) r.answered(200, ms);
          const bars = r.bars(rows);
          expect(bars.length).toBeLessThanOrEqual(rows);
          expect(bars.reduce((a, b) => a + b.count, 0)).toBe(latencies.length);
          for (let i = 1; i < bars.length; i++) expect(bars[i]?.upToMs).toBeGreaterThan(bars[i - 1]?.upToMs ?? 0);
        },
      ),
    );
  });
});
