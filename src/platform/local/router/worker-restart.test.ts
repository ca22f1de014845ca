import { describe, expect, it } from "vitest";
import { CrashLoopBackoff, HEALTHY_RUN_MS, MAX_BACKOFF_MS } from "./worker-restart.js";

describe("CrashLoopBackoff", () => {
  it("restarts a worker that ran fine at once, every time", () => {
    const b = new CrashLoopBackoff();
    expect([b.next(HEALTHY_RUN_MS), b.next(60_000), b.next(HEALTHY_RUN_MS * 3)]).toEqual([0, 0, 0]);
  });

  it("backs off a worker that keeps dying soon after it starts, up to the cap", () => {
    const b = new CrashLoopBackoff();
    const delays = Array.from({ length: 9 }, () => b.next(50));
    expect(delays).toEqual([0, 100, 200, 400, 800, 1600, 3200, MAX_BACKOFF_MS, MAX_BACKOFF_MS]);
  });

  it("forgets the crash loop once a worker runs long enough", () => {
    const b = new CrashLoopBackoff();
    b.next(50);
    b.next(50);
    expect(b.next(50)).toBe(200);
    expect(b.next(HEALTHY_RUN_MS)).toBe(0);
    expect(b.next(50)).toBe(0);
  });
});
