import { describe, expect, it } from "vitest";
import { minus, readBuckets, sameLayout, total } from "./buckets.js";

// The readings inside a bucket (linear and log-normal) and the quantile bounds are tested with the
// latency judge that uses them, in latency.test.ts ("histogram reading").
describe("histogram arithmetic", () => {
  const a = readBuckets([
    { le: 0.1, count: 5 },
    { le: 0.5, count: 9 },
    { le: Number.MAX_VALUE, count: 10 },
  ]);
  const b = readBuckets([
    { le: 0.1, count: 2 },
    { le: 0.5, count: 3 },
    { le: Number.MAX_VALUE, count: 3 },
  ]);

  it("counts requests, compares layouts and subtracts looks", () => {
    expect(a && b).toBeTruthy();
    if (!a || !b) return;
    expect(total(a)).toBe(10);
    expect(total({ les: [], counts: [] })).toBe(0);
    expect(sameLayout(a, b)).toBe(true);
    expect(sameLayout(a, { les: [0.1, 0.25, Number.MAX_VALUE], counts: [1, 2, 3] })).toBe(false);
    expect(minus(a, b)?.counts).toEqual([3, 6, 7]);
    // A count that went down (a restart) is no increment.
    expect(minus(b, a)).toBeUndefined();
  });
});
