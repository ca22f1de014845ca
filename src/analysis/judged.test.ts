import { describe, expect, it } from "vitest";
import { type Measurement, Metric, type MetricResult } from "../model/index.js";
import { decide, metricAlpha, recordJudgedMeasurement } from "./judged.js";
import { emptyMetricResult, metricVerdict } from "./verdict.js";

const T0 = new Date("2026-01-01T00:00:00.000Z");
const at = (s: number) => new Date(T0.getTime() + s * 1000);

function metric(judge: Record<string, unknown>): Metric {
  return Metric.parse({ name: "errors", interval: "1s", provider: { builtin: {} }, judge });
}

function look(s: number, cr: number, ce: number, br: number, be: number): Measurement {
  const value = JSON.stringify({
    at: at(s).getTime(),
    canary: { requests: cr, errors: ce },
    baseline: { requests: br, errors: be },
  });
  return { phase: "Successful", value, startedAt: at(s).toISOString(), finishedAt: at(s).toISOString() };
}

function record(m: Metric, measurements: [number, Measurement][]): MetricResult {
  let r = emptyMetricResult(m, false);
  for (const [s, x] of measurements) r = recordJudgedMeasurement(r, x, m, 10, 0.01, at(s));
  return r;
}

describe("judged metrics: counter resets", () => {
  it("promotes after a counter reset only once minRequests canary requests came since; a regression still fails", () => {
    const m = metric({ errorRate: {}, maxDuration: "1h", minRequests: 10 });
    const clean: [number, Measurement][] = [[0, look(0, 0, 0, 0, 0)]];
    for (let i = 1; i <= 100; i++) clean.push([i * 10, look(i * 10, i * 100, 0, i * 900, 0)]);
    // Without a reset this evidence promotes …
    expect(record(m, clean).judge?.outcome).toBe("Successful");
    // … with the router restarted, not on the thin window after the restart …
    const m2 = metric({ errorRate: { maxAbsoluteIncrease: 0.05 }, maxDuration: "1h", minRequests: 500 });
    const reset: [number, Measurement][] = [];
    for (let i = 0; i <= 4; i++) reset.push([i * 10, look(i * 10, i * 100, 0, i * 900, 0)]);
    reset.push([45, look(45, 0, 0, 0, 0)], [50, look(50, 200, 0, 1800, 0)]);
    const r = record(m2, reset);
    expect(r.judge?.resets).toBe(1);
    expect(r.judge?.looks.at(-1)?.canary.requests).toBe(600);
    expect(r.judge?.outcome).toBe("Running");
    expect(r.message).toContain("not promoted yet: 200 of 500 canary requests since counters went down");
    // … and once 500 canary requests came after it, it does.
    reset.push([60, look(60, 500, 0, 4500, 0)]);
    expect(record(m2, reset).judge?.outcome).toBe("Successful");
    const bad: [number, Measurement][] = [
      [0, look(0, 5000, 0, 9000, 0)],
      [5, look(5, 0, 0, 0, 0)],
    ];
    for (let i = 1; i <= 10; i++) bad.push([i * 10, look(i * 10, i * 100, i * 50, i * 900, 0)]);
    expect(record(m, bad).judge?.outcome).toBe("Failed");
  });
});

describe("judged metrics: the bound on waiting", () => {
  it("keeps running without evidence before the deadline, and never counts that as success", () => {
    const m = metric({ errorRate: {}, maxDuration: "60s" });
    const r = record(m, [
      [0, look(0, 0, 0, 0, 0)],
      [10, look(10, 0, 0, 0, 0)],
    ]);
    expect(r.judge?.outcome).toBe("Running");
    expect(metricVerdict(m, r)).toBe("Running");
    expect(r.judge?.deadline).toBe(at(60).toISOString());
    expect(r.message).toContain("it will abort");
    // Stopped while undecided: Inconclusive, never Successful.
    expect(metricVerdict(m, r, { terminating: true })).toBe("Inconclusive");
  });

  it("aborts at maxDuration without evidence when onInsufficientEvidence is abort", () => {
    const m = metric({ errorRate: {}, maxDuration: "60s", onInsufficientEvidence: "abort" });
    const r = record(m, [
      [0, look(0, 0, 0, 0, 0)],
      [61, look(61, 3, 0, 30, 0)],
    ]);
    expect(r.judge?.outcome).toBe("Failed");
    expect(metricVerdict(m, r)).toBe("Failed");
    expect(r.message).toContain("insufficient evidence: maxDuration 60s reached");
  });

  it("pauses (Inconclusive) at maxRequests when onInsufficientEvidence is pause", () => {
    const m = metric({ errorRate: {}, maxRequests: 5, onInsufficientEvidence: "pause" });
    const r = record(m, [
      [0, look(0, 0, 0, 0, 0)],
      [1, look(1, 6, 0, 60, 0)],
    ]);
    expect(r.judge?.outcome).toBe("Inconclusive");
    expect(metricVerdict(m, r)).toBe("Inconclusive");
    expect(r.message).toContain("maxRequests 5 reached");
  });

  it("applies the deadline even when the provider only fails", () => {
    const m = metric({ errorRate: {}, maxDuration: "30s" });
    const err: Measurement = { phase: "Error", startedAt: at(0).toISOString(), message: "router down" };
    const r = record(m, [
      [0, look(0, 0, 0, 0, 0)],
      [31, { ...err, startedAt: at(31).toISOString() }],
    ]);
    expect(r.judge?.outcome).toBe("Failed");
  });

  it("a reading that is not counts is an Inconclusive measurement and adds no look", () => {
    const m = metric({ errorRate: {} });
    const bad: Measurement = { phase: "Successful", value: '{"canary":1}', startedAt: at(0).toISOString() };
    const r = record(m, [[0, bad]]);
    expect(r.measurements[0]?.phase).toBe("Inconclusive");
    expect(r.judge?.looks).toHaveLength(0);
  });

  it("a decided outcome stays decided", () => {
    const m = metric({ errorRate: {}, maxDuration: "10s" });
    const status = decide(m, { looks: [], resets: 0, outcome: "Failed", startedAt: T0.toISOString() }, 0.01, at(99));
    expect(status.outcome).toBe("Failed");
  });
});

describe("metricAlpha", () => {
  it("splits the run's alpha across judged metrics that decide (dry-run ones aside)", () => {
    const a = metric({ errorRate: {} });
    const b = { ...metric({ latency: {} }), name: "latency" };
    const c = { ...metric({ errorRate: {} }), name: "shadow" };
    const run = {
      spec: { metrics: [a, b, c], alpha: 0.02, dryRun: [{ metricName: "shadow" }] },
    } as unknown as Parameters<typeof metricAlpha>[0];
    expect(metricAlpha(run)).toBeCloseTo(0.01, 10);
  });
});

describe("Metric with judge (lint)", () => {
  it("refuses conditions, a count, or a provider without per-revision counts, naming the field", () => {
    const bad = Metric.safeParse({
      name: "x",
      successCondition: "true",
      provider: { web: { url: "http://127.0.0.1/" } },
      judge: { errorRate: {} },
    });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((i) => i.path.join(".")) ?? [];
    expect(paths).toContain("successCondition");
    expect(paths).toContain("provider");
    const noErrors = Metric.safeParse({
      name: "x",
      provider: { prometheus: { address: "http://127.0.0.1:9090", counts: { requests: "r" } } },
      judge: { errorRate: {} },
    });
    expect(noErrors.error?.issues.map((i) => i.path.join("."))).toContain("provider.prometheus.counts.errors");
  });

  it("refuses both or neither of errorRate and latency", () => {
    expect(Metric.safeParse({ name: "x", provider: { builtin: {} }, judge: {} }).success).toBe(false);
    expect(
      Metric.safeParse({ name: "x", provider: { builtin: {} }, judge: { errorRate: {}, latency: {} } }).success,
    ).toBe(false);
  });
});
