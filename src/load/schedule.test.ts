import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dueBy, plan, type ScheduleState, totalOf } from "./schedule.js";

/** Drives the scheduler with a fake clock and instant answers; returns starts per second. */
function simulate(rate: number, durationMs: number, stepMs: number): { started: number; skipped: number } {
  const s: ScheduleState = { startedAt: 1000, rate, durationMs, issued: 0, inFlight: 0, concurrency: 1000 };
  let started = 0;
  let skipped = 0;
  for (let now = 1000; now <= 1000 + durationMs + stepMs; now += stepMs) {
    const p = plan(s, now);
    started += p.start;
    skipped += p.skip;
    s.issued += p.start + p.skip;
    if (p.done) break;
  }
  return { started, skipped };
}

describe("rate scheduler", () => {
  it("issues one request at the start and one every 1/rate after it", () => {
    expect(dueBy(0, 10, 0)).toBe(1);
    expect(dueBy(0, 10, 99)).toBe(1);
    expect(dueBy(0, 10, 100)).toBe(2);
    expect(dueBy(0, 10, 999)).toBe(10);
    expect(dueBy(0, 10, -1)).toBe(0);
  });

  it("issues rate × duration requests in all, none at the end instant", () => {
    expect(totalOf(50, 30_000)).toBe(1500);
    expect(totalOf(3, 1000)).toBe(3);
    expect(totalOf(1, 0)).toBe(0);
    expect(simulate(50, 2000, 7)).toEqual({ started: 100, skipped: 0 });
  });

  it("wakes at the next due instant", () => {
    const p = plan({ startedAt: 0, rate: 4, issued: 1, inFlight: 0, concurrency: 2 }, 10);
    expect(p).toEqual({ start: 0, skip: 0, done: false, wakeAt: 250 });
  });

  it("waits for a free connection, then skips what is more than a quarter second late instead of bursting", () => {
    const s: ScheduleState = { startedAt: 0, rate: 100, issued: 2, inFlight: 2, concurrency: 2 };
    // 1 s later 100 requests are due; none can start; all but a quarter second's worth (25) are skipped.
    const p = plan(s, 990);
    expect(p.start).toBe(0);
    expect(p.skip).toBe(73);
    expect(p.wakeAt).toBe(991);
    // When the connections free up, late ones go out as connections allow, no more.
    const q = plan({ ...s, issued: 75, inFlight: 0 }, 990);
    expect(q.start).toBe(2);
    expect(q.skip).toBe(0);
  });

  it("never issues more than is due nor more than the concurrency allows", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 1000, noNaN: true }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (rate, now, issued, concurrency, inFlight) => {
          const s = { startedAt: 0, rate, durationMs: 60_000, issued, inFlight, concurrency };
          const p = plan(s, now);
          expect(p.start).toBeGreaterThanOrEqual(0);
          expect(p.start).toBeLessThanOrEqual(Math.max(0, concurrency - inFlight));
          expect(issued + p.start + p.skip).toBeLessThanOrEqual(Math.max(issued, dueBy(0, rate, now, 60_000)));
          if (!p.done) expect(p.wakeAt).toBeGreaterThanOrEqual(now);
        },
      ),
    );
  });
});
