import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EvidenceLook, JudgeStatus } from "../model/index.js";
import { addLook, canaryRate, isValidReading, thinLooks } from "./evidence.js";

const T0 = "2026-01-01T00:00:00.000Z";

function reading(at: number, cr: number, ce: number, br: number, be: number): EvidenceLook {
  return { at, canary: { requests: cr, errors: ce }, baseline: { requests: br, errors: be } };
}

function feed(readings: EvidenceLook[]): JudgeStatus {
  let s: JudgeStatus | undefined;
  for (const r of readings) s = addLook(s, r, T0);
  if (!s) throw new Error("no readings");
  return s;
}

describe("addLook", () => {
  it("counts evidence from the first reading, not from the counters' own start", () => {
    const s = feed([reading(1000, 500, 5, 900, 9), reading(2000, 600, 6, 1100, 10)]);
    expect(s.looks).toEqual([reading(1000, 0, 0, 0, 0), reading(2000, 100, 1, 200, 1)]);
    expect(s.resets).toBe(0);
  });

  it("keeps the evidence and counts on from it when a counter goes down (a restarted router)", () => {
    const s = feed([
      reading(1000, 500, 5, 900, 9),
      reading(2000, 600, 6, 1100, 10),
      reading(3000, 20, 0, 40, 0),
      reading(4000, 70, 1, 140, 2),
    ]);
    expect(s.resets).toBe(1);
    expect(s.looks).toEqual([
      reading(1000, 0, 0, 0, 0),
      reading(2000, 100, 1, 200, 1),
      // The reset look adds nothing; what follows adds the new counters' growth.
      reading(3000, 100, 1, 200, 1),
      reading(4000, 150, 2, 300, 3),
    ]);
    expect(s.startedAt).toBe(T0);
  });

  it("restarts on a decrease in one latency bucket alone", () => {
    const a: EvidenceLook = {
      at: 1,
      canary: { requests: 10, errors: 0, buckets: [{ le: 0.1, count: 10 }] },
      baseline: { requests: 10, errors: 0, buckets: [{ le: 0.1, count: 10 }] },
    };
    const b: EvidenceLook = { ...a, at: 2, canary: { requests: 12, errors: 0, buckets: [{ le: 0.1, count: 3 }] } };
    expect(feed([a, b]).resets).toBe(1);
  });

  it("ignores a reading that is not newer than the last look", () => {
    const s = feed([reading(1000, 1, 0, 1, 0), reading(2000, 5, 0, 5, 0), reading(2000, 9, 0, 9, 0)]);
    expect(s.looks).toHaveLength(2);
  });

  it("never yields negative or decreasing evidence, whatever the counters do (property)", () => {
    const count = fc.integer({ min: 0, max: 1e6 });
    fc.assert(
      fc.property(fc.array(fc.tuple(count, count, count, count), { minLength: 1, maxLength: 60 }), (rows) => {
        const s = feed(rows.map(([a, b, c, d], i) => reading(1000 * (i + 1), a, b, c, d)));
        let prev = s.looks[0];
        for (const l of s.looks) {
          for (const n of [l.canary.requests, l.canary.errors, l.baseline.requests, l.baseline.errors])
            expect(n).toBeGreaterThanOrEqual(0);
          expect(l.canary.requests).toBeGreaterThanOrEqual(prev?.canary.requests ?? 0);
          expect(l.canary.errors).toBeGreaterThanOrEqual(prev?.canary.errors ?? 0);
          prev = l;
        }
        expect(s.looks.length).toBeLessThanOrEqual(200);
      }),
    );
  });
});

describe("thinLooks", () => {
  it("keeps the first and last looks and at most the maximum", () => {
    const looks = Array.from({ length: 1000 }, (_, i) => i);
    const thin = thinLooks(looks, 200);
    expect(thin.length).toBeLessThanOrEqual(200);
    expect(thin[0]).toBe(0);
    expect(thin.at(-1)).toBe(999);
    expect([...thin].sort((a, b) => a - b)).toEqual(thin);
  });
});

describe("isValidReading", () => {
  it("refuses NaN, negative and missing counts", () => {
    expect(isValidReading(reading(1, 1, 0, 1, 0))).toBe(true);
    expect(isValidReading(reading(1, Number.NaN, 0, 1, 0))).toBe(false);
    expect(isValidReading(reading(1, 1, -1, 1, 0))).toBe(false);
    expect(isValidReading({ at: 1, canary: { requests: 1, errors: 0 } })).toBe(false);
    expect(isValidReading("12")).toBe(false);
  });
});

describe("canaryRate", () => {
  it("is canary requests per second over the looks", () => {
    expect(canaryRate([reading(0, 0, 0, 0, 0), reading(10_000, 50, 0, 0, 0)])).toBe(5);
    expect(canaryRate([reading(0, 0, 0, 0, 0)])).toBeUndefined();
  });
});
