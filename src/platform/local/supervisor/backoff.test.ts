import { describe, expect, it } from "vitest";
import { CrashWindow, restartDelayMs } from "./backoff.js";

describe("restartDelayMs", () => {
  it("doubles from 0.5 s and stops at 30 s", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => restartDelayMs(n))).toEqual([
      500, 1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ]);
    expect(restartDelayMs(10_000)).toBe(30_000);
  });

  it("treats attempts below 1 as the first", () => {
    expect(restartDelayMs(0)).toBe(500);
    expect(restartDelayMs(-3)).toBe(500);
  });

  it("honours custom bounds", () => {
    expect(restartDelayMs(1, { initialMs: 100, maxMs: 250 })).toBe(100);
    expect(restartDelayMs(2, { initialMs: 100, maxMs: 250 })).toBe(200);
    expect(restartDelayMs(3, { initialMs: 100, maxMs: 250 })).toBe(250);
  });
});

describe("CrashWindow", () => {
  it("counts only crashes inside the window", () => {
    const w = new CrashWindow(60_000);
    w.record(0);
    w.record(10_000);
    w.record(40_000);
    expect(w.count(40_000)).toBe(3);
    expect(w.spanMs(40_000)).toBe(40_000);
    expect(w.count(60_000)).toBe(2);
    expect(w.spanMs(60_000)).toBe(30_000);
    expect(w.count(100_001)).toBe(0);
    expect(w.spanMs(100_001)).toBe(0);
  });

  it("forgets everything on clear", () => {
    const w = new CrashWindow(1_000);
    w.record(5);
    w.clear();
    expect(w.count(5)).toBe(0);
  });
});
