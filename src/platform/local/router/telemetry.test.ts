import { describe, expect, it } from "vitest";
import { classOf, ERROR_CLASS, MAX_WINDOW_SECONDS, seriesKey, Telemetry } from "./telemetry.js";

function fakeClock(startMs = 1_700_000_000_000) {
  const clock = { ms: startMs, now: () => clock.ms };
  return clock;
}

describe("classOf", () => {
  it("maps statuses to classes", () => {
    expect([200, 204, 301, 404, 499, 500, 503].map(classOf)).toEqual([0, 0, 1, 2, 2, 3, 3]);
  });
});

describe("Telemetry", () => {
  it("reports cumulative totals beyond the window, with cumulative latency buckets", () => {
    const clock = fakeClock();
    const t = new Telemetry({ now: clock.now });
    const s = t.series("shop", "abc");
    for (let i = 0; i < 4; i++) t.record(s, classOf(200), 2);
    t.record(s, classOf(503), 300);
    clock.ms += 20_000;
    t.record(s, ERROR_CLASS, 2);
    const [sum] = t.summary("shop", 10);
    expect(sum?.requests).toBe(1);
    expect(sum?.total?.requests).toBe(6);
    expect(sum?.total?.errors).toBe(2);
    // 2 ms lands in le=0.0025 (index 2); 300 ms in le=0.5 (index 9); the last bucket (+Inf) holds all.
    expect(sum?.total?.buckets[1]).toBe(0);
    expect(sum?.total?.buckets[2]).toBe(5);
    expect(sum?.total?.buckets[9]).toBe(6);
    expect(sum?.total?.buckets.at(-1)).toBe(6);
  });

  it("counts requests by class and computes success rate, error rate and request rate", () => {
    const clock = fakeClock();
    const t = new Telemetry({ now: clock.now });
    const s = t.series("shop", "abc");
    for (let i = 0; i < 90; i++) t.record(s, classOf(200), 2);
    for (let i = 0; i < 5; i++) t.record(s, classOf(404), 2);
    for (let i = 0; i < 3; i++) t.record(s, classOf(503), 2);
    for (let i = 0; i < 2; i++) t.record(s, ERROR_CLASS, 2);
    const [sum] = t.summary("shop", 10);
    expect(sum).toMatchObject({
      revision: "abc",
      windowSeconds: 10,
      requests: 100,
      byClass: { "2xx": 90, "3xx": 0, "4xx": 5, "5xx": 3, error: 2 },
      requestRate: 10,
    });
    expect(sum!.successRate).toBeCloseTo(0.95);
    expect(sum!.errorRate).toBeCloseTo(0.05);
  });

  it("reports NaN rates and quantiles for a revision without requests in the window", () => {
    const clock = fakeClock();
    const t = new Telemetry({ now: clock.now });
    t.record(t.series("shop", "abc"), 0, 1);
    clock.ms += 120_000;
    const [sum] = t.summary("shop", 60);
    expect(sum!.requests).toBe(0);
    expect(sum!.successRate).toBeNaN();
    expect(sum!.p99).toBeNaN();
    expect(sum!.requestRate).toBe(0);
  });

  it("only counts the seconds inside the window", () => {
    const clock = fakeClock();
    const t = new Telemetry({ now: clock.now });
    const s = t.series("shop", "abc");
    for (let sec = 0; sec < 30; sec++) {
      t.record(s, 0, 1);
      clock.ms += 1000;
    }
    clock.ms -= 1000; // now is the second of the last record
    expect(t.summary("shop", 10)[0]!.requests).toBe(10);
    expect(t.summary("shop", 30)[0]!.requests).toBe(30);
    expect(t.summary("shop", 600)[0]!.requests).toBe(30);
  });

  it("forgets slots older than the ring when the ring wraps", () => {
    const clock = fakeClock();
    const t = new Telemetry({ now: clock.now });
    const s = t.series("shop", "abc");
    t.record(s, 3, 1);
    clock.ms += MAX_WINDOW_SECONDS * 1000; // same slot, a full ring later
    t.record(s, 0, 1);
    const [sum] = t.summary("shop", MAX_WINDOW_SECONDS);
    expect(sum!.byClass).toMatchObject({ "2xx": 1, "5xx": 0 });
    expect(s.totals[3]).toBe(1); // cumulative counters keep everything
  });

  it("computes latency quantiles with sub-millisecond resolution", () => {
    const t = new Telemetry({ now: fakeClock().now });
    const s = t.series("shop", "abc");
    for (let i = 0; i < 1000; i++) t.record(s, 0, i < 900 ? 0.3 : 40);
    const [sum] = t.summary("shop", 60);
    expect(sum!.p50).toBeGreaterThan(0.27);
    expect(sum!.p50).toBeLessThan(0.33);
    expect(sum!.p99).toBeGreaterThan(36);
    expect(sum!.p99).toBeLessThan(44);
  });

  it("keeps cumulative Prometheus buckets and latency sum", () => {
    const t = new Telemetry({ now: fakeClock().now });
    const s = t.series("shop", "abc");
    t.record(s, 0, 0.4); // <= 0.0005 s
    t.record(s, 0, 30); // <= 0.05 s
    t.record(s, 0, 120_000); // +Inf
    expect(s.promBuckets[0]).toBe(1);
    expect(s.promBuckets[6]).toBe(1);
    expect(s.promBuckets[s.promBuckets.length - 1]).toBe(1);
    expect(s.latencySumSeconds).toBeCloseTo(120.0304);
  });

  it("prunes idle series that left the config, and keeps the rest", () => {
    const clock = fakeClock();
    const t = new Telemetry({ now: clock.now });
    t.record(t.series("shop", "old"), 0, 1);
    t.record(t.series("shop", "kept"), 0, 1);
    t.record(t.series("shop", "recent"), 0, 1);
    clock.ms += (MAX_WINDOW_SECONDS + 5) * 1000;
    t.record(t.series("shop", "recent"), 0, 1);
    t.prune(new Set([seriesKey("shop", "kept")]));
    expect(
      t
        .summary("shop", 60)
        .map((r) => r.revision)
        .sort(),
    ).toEqual(["kept", "recent"]);
  });
});
