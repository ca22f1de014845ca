import { describe, expect, it } from "vitest";
import { BUCKETS, bucketOf, lowerBound, quantile, upperBound } from "./histogram.js";

describe("latency buckets", () => {
  it("places each latency in the bucket whose bounds contain it", () => {
    for (const ms of [0.051, 0.07, 0.3, 1, 2.5, 17, 250, 1234, 59_999]) {
      const i = bucketOf(ms);
      expect(lowerBound(i)).toBeLessThan(ms);
      expect(upperBound(i)).toBeGreaterThanOrEqual(ms * (1 - 1e-12));
    }
  });

  it("resolves below a millisecond", () => {
    expect(bucketOf(0.2)).not.toBe(bucketOf(0.3));
    expect(upperBound(bucketOf(0.2)) / lowerBound(bucketOf(0.2))).toBeLessThan(1.1);
  });

  it("puts tiny and huge latencies in the end buckets", () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(0.01)).toBe(0);
    expect(bucketOf(3_600_000)).toBe(BUCKETS - 1);
    expect(bucketOf(Number.NaN)).toBe(0);
  });
});

describe("quantile", () => {
  it("is NaN for an empty histogram", () => {
    expect(quantile(new Uint32Array(BUCKETS), 0, 0.5)).toBeNaN();
  });

  it("interpolates within a few percent of the true quantile", () => {
    const counts = new Uint32Array(BUCKETS);
    const samples: number[] = [];
    for (let i = 1; i <= 10_000; i++) samples.push(i / 100); // 0.01 .. 100 ms, uniform
    for (const s of samples) counts[bucketOf(s)]! += 1;
    for (const [q, exact] of [
      [0.5, 50],
      [0.9, 90],
      [0.99, 99],
    ] as const) {
      const got = quantile(counts, samples.length, q);
      expect(Math.abs(got - exact) / exact).toBeLessThan(0.03);
    }
  });

  it("reports a single repeated value within its bucket", () => {
    const counts = new Uint32Array(BUCKETS);
    counts[bucketOf(5)] = 100;
    const p50 = quantile(counts, 100, 0.5);
    expect(p50).toBeGreaterThan(lowerBound(bucketOf(5)));
    expect(p50).toBeLessThanOrEqual(upperBound(bucketOf(5)));
  });
});
