import { describe, expect, it } from "vitest";
import {
  type AnalysisPhase,
  type AnalysisRun,
  API_VERSION,
  type Measurement,
  type Metric,
  type MetricResult,
} from "../model/index.js";
import { dueMetrics, ERROR_RETRY_MS, nextMeasurementAt, runWakeAt } from "./schedule.js";
import { emptyMetricResult, recordMeasurement } from "./verdict.js";

const T0 = new Date("2025-01-01T00:00:00Z");
const at = (s: number) => new Date(T0.getTime() + s * 1000);

function metric(name: string, over: Partial<Metric> = {}): Metric {
  return {
    name,
    provider: { builtin: { window: "1m", minRequests: 100 } },
    successCondition: "result >= 0.99",
    failureLimit: 9,
    inconclusiveLimit: 9,
    consecutiveErrorLimit: 9,
    consecutiveSuccessLimit: 0,
    ...over,
  };
}

/** A result whose measurements finished at the given seconds after T0. */
function measured(m: Metric, entries: [number, AnalysisPhase][]): MetricResult {
  let r = emptyMetricResult(m, false);
  for (const [s, phase] of entries) {
    const meas: Measurement = { phase, startedAt: at(s - 1).toISOString(), finishedAt: at(s).toISOString() };
    r = recordMeasurement(r, meas, m);
  }
  return r;
}

describe("nextMeasurementAt", () => {
  it.each([
    ["first measurement at run start", {}, [], 0],
    ["first measurement after initialDelay", { initialDelay: "30s" }, [], 30],
    ["initialDelay in seconds", { initialDelay: 5, interval: "1m" }, [], 5],
    ["next one interval after the last finished", { interval: "1m", count: 3 }, [[10, "Successful"]], 70],
    ["interval in seconds", { interval: 15, count: 3 }, [[10, "Failed"]], 25],
    ["an error is retried after 10s", { interval: "5m", count: 3 }, [[10, "Error"]], 20],
    ["an error is retried at a shorter interval", { interval: "2s", count: 3 }, [[10, "Error"]], 12],
    ["an error without interval is retried after 10s", {}, [[10, "Error"]], 20],
    [
      "count reached",
      { interval: "1m", count: 2 },
      [
        [10, "Successful"],
        [70, "Successful"],
      ],
      undefined,
    ],
    ["single measurement taken", {}, [[10, "Successful"]], undefined],
    ["metric failed", { interval: "1m", count: 5, failureLimit: 0 }, [[10, "Failed"]], undefined],
    [
      "no count runs on",
      { interval: "1m" },
      [
        [10, "Successful"],
        [70, "Successful"],
      ],
      130,
    ],
  ] as const)("%s", (_d, over, entries, expected) => {
    const m = metric("m", over);
    const r = entries.length === 0 ? undefined : measured(m, entries as unknown as [number, AnalysisPhase][]);
    const next = nextMeasurementAt(m, r, T0);
    expect(next?.toISOString()).toBe(expected === undefined ? undefined : at(expected).toISOString());
  });

  it("uses ERROR_RETRY_MS", () => {
    expect(ERROR_RETRY_MS).toBe(10_000);
  });
});

function run(metrics: Metric[], results: MetricResult[], over: Partial<AnalysisRun> = {}): AnalysisRun {
  return {
    apiVersion: API_VERSION,
    kind: "AnalysisRun",
    metadata: { name: "r" },
    spec: { metrics, args: [], dryRun: [], measurementRetention: [], terminate: false },
    status: { phase: "Running", startedAt: T0.toISOString(), metricResults: results },
    ...over,
  };
}

describe("dueMetrics / runWakeAt", () => {
  const fast = metric("fast", { interval: "10s", count: 5 });
  const slow = metric("slow", { interval: "1m", count: 5, initialDelay: "30s" });

  it("picks the metrics whose time has come, with a fake clock", () => {
    const r = run([fast, slow], []);
    expect(dueMetrics(r, at(0)).map((m) => m.name)).toEqual(["fast"]);
    expect(runWakeAt(r)?.toISOString()).toBe(at(0).toISOString());
    const after = run([fast, slow], [measured(fast, [[1, "Successful"]])]);
    expect(runWakeAt(after)?.toISOString()).toBe(at(11).toISOString());
    expect(dueMetrics(after, at(10))).toEqual([]);
    expect(dueMetrics(after, at(11)).map((m) => m.name)).toEqual(["fast"]);
    expect(dueMetrics(after, at(30)).map((m) => m.name)).toEqual(["fast", "slow"]);
  });

  it("has nothing due for a finished or terminating run", () => {
    const done = run([fast], [], { status: { phase: "Failed", startedAt: T0.toISOString(), metricResults: [] } });
    expect(dueMetrics(done, at(100))).toEqual([]);
    expect(runWakeAt(done)).toBeUndefined();
    const stopping = run([fast], []);
    stopping.spec.terminate = true;
    expect(dueMetrics(stopping, at(100))).toEqual([]);
    expect(runWakeAt(stopping)).toBeUndefined();
  });

  it("starts a run that has no status at now", () => {
    const fresh = run([fast, slow], []);
    delete fresh.status;
    expect(dueMetrics(fresh, at(500)).map((m) => m.name)).toEqual(["fast"]);
    expect(runWakeAt(fresh)).toBeUndefined();
  });

  it("wakes for the earliest metric only while some metric still needs measuring", () => {
    const single = metric("once");
    const r = run([single], [measured(single, [[3, "Successful"]])]);
    expect(runWakeAt(r)).toBeUndefined();
  });
});
