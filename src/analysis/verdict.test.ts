import { describe, expect, it } from "vitest";
import { type AnalysisPhase, type AnalysisRun, API_VERSION, type Measurement, type Metric } from "../model/index.js";
import {
  effectiveCount,
  emptyMetricResult,
  metricMessage,
  metricVerdict,
  recordMeasurement,
  retentionFor,
  runVerdict,
  withVerdict,
} from "./verdict.js";

function metric(name: string, over: Partial<Metric> = {}): Metric {
  return {
    name,
    provider: { builtin: { window: "1m", minRequests: 100 } },
    successCondition: "result >= 0.99",
    failureLimit: 0,
    inconclusiveLimit: 0,
    consecutiveErrorLimit: 4,
    consecutiveSuccessLimit: 0,
    ...over,
  };
}

const VALUES: Record<string, string> = { S: "0.995", F: "0.85", I: "0.95", E: "" };
const PHASES: Record<string, AnalysisPhase> = { S: "Successful", F: "Failed", I: "Inconclusive", E: "Error" };

function measurement(code: string, i: number): Measurement {
  const phase = PHASES[code] as AnalysisPhase;
  const at = new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString();
  return phase === "Error"
    ? { phase, startedAt: at, finishedAt: at, message: "connection refused" }
    : { phase, startedAt: at, finishedAt: at, value: VALUES[code] as string };
}

/** Records measurements written as a string of S/F/I/E. */
function record(m: Metric, codes: string, retention?: number) {
  let r = emptyMetricResult(m, false);
  for (const [i, c] of [...codes].entries()) r = recordMeasurement(r, measurement(c, i), m, retention);
  return r;
}

describe("metricVerdict", () => {
  it.each([
    // [description, metric overrides, measurements, expected]
    ["nothing measured yet", {}, "", "Pending"],
    ["one success completes a metric without count or interval", {}, "S", "Successful"],
    ["one failure with failureLimit 0", {}, "F", "Failed"],
    ["failures up to failureLimit keep running", { count: 5, interval: "1m", failureLimit: 2 }, "FF", "Running"],
    ["failures past failureLimit", { count: 5, interval: "1m", failureLimit: 2 }, "FFF", "Failed"],
    ["failures at the limit, count reached", { count: 3, interval: "1m", failureLimit: 2 }, "FFS", "Successful"],
    ["inconclusive past inconclusiveLimit", { count: 5, interval: "1m", inconclusiveLimit: 1 }, "SII", "Inconclusive"],
    ["inconclusive within the limit", { count: 3, interval: "1m", inconclusiveLimit: 1 }, "SIS", "Successful"],
    ["errors up to consecutiveErrorLimit", { count: 2, interval: "1m" }, "EEEE", "Running"],
    ["errors past consecutiveErrorLimit", { count: 2, interval: "1m" }, "EEEEE", "Error"],
    ["a success resets the error streak", { count: 9, interval: "1m" }, "EEEESEEEE", "Running"],
    ["consecutiveErrorLimit 0 errors at once", { consecutiveErrorLimit: 0 }, "E", "Error"],
    ["errors do not use up the count", { count: 2, interval: "1m" }, "SEE", "Running"],
    ["count reached after errors", { count: 2, interval: "1m" }, "SEES", "Successful"],
    [
      "consecutiveSuccessLimit reached early",
      { count: 10, interval: "1m", consecutiveSuccessLimit: 3 },
      "SFSSS",
      "Failed",
    ],
    [
      "consecutiveSuccessLimit reached",
      { count: 10, interval: "1m", failureLimit: 2, consecutiveSuccessLimit: 3 },
      "SFSSS",
      "Successful",
    ],
    [
      "count reached without the success streak",
      { count: 4, interval: "1m", failureLimit: 2, consecutiveSuccessLimit: 3 },
      "SSFS",
      "Inconclusive",
    ],
    [
      "count reached with no success at all",
      { count: 2, interval: "1m", failureLimit: 5, inconclusiveLimit: 5 },
      "FI",
      "Inconclusive",
    ],
    ["interval without count runs on", { interval: "1m" }, "SSSSSSSS", "Running"],
    ["count 0 with an interval runs on", { interval: "1m", count: 0 }, "SSS", "Running"],
  ] as const)("%s", (_d, over, codes, expected) => {
    const m = metric("m", over);
    expect(metricVerdict(m, record(m, codes))).toBe(expected);
  });

  it.each([
    ["nothing measured", "", "Successful"],
    ["successes so far", "SS", "Successful"],
    ["failures within the limit and a success", "FS", "Successful"],
    ["only errors", "EE", "Inconclusive"],
    ["only inconclusive within the limit", "I", "Inconclusive"],
  ])("terminating with %s -> %s", (_d, codes, expected) => {
    const m = metric("m", { interval: "1m", failureLimit: 1, inconclusiveLimit: 1 });
    const r = record(m, codes);
    expect(metricVerdict(m, r, { terminating: true })).toBe(expected);
  });

  it("keeps a final phase final", () => {
    const m = metric("m");
    const failed = record(m, "F");
    expect(metricVerdict(m, { ...failed, failed: 0 })).toBe("Failed");
  });
});

describe("recordMeasurement", () => {
  it("updates every counter", () => {
    const m = metric("m", { interval: "1m", failureLimit: 9, inconclusiveLimit: 9 });
    expect(record(m, "SSFIEES")).toMatchObject({
      count: 5,
      successful: 3,
      failed: 1,
      inconclusive: 1,
      error: 2,
      consecutiveError: 0,
      consecutiveSuccess: 1,
      phase: "Running",
    });
    expect(record(m, "SSEE")).toMatchObject({ consecutiveError: 2, consecutiveSuccess: 0 });
  });

  it("keeps only the newest measurements, counters untouched", () => {
    const m = metric("m", { interval: "1m" });
    const r = record(m, "SSSSSSSSSSSS");
    expect(r.measurements).toHaveLength(10);
    expect(r.measurements.at(-1)?.startedAt).toBe(new Date(Date.UTC(2025, 0, 1, 0, 0, 11)).toISOString());
    expect(r.count).toBe(12);
    expect(record(m, "SSSS", 2).measurements).toHaveLength(2);
  });

  it("writes a message with the numbers behind a verdict", () => {
    const m = metric("success-rate", { count: 5, interval: "1m", failureLimit: 1 });
    expect(record(m, "SFF").message).toBe(
      'metric "success-rate" failed 2 times (limit 1): last value 0.85, condition result >= 0.99',
    );
    const errored = record(metric("p95", { consecutiveErrorLimit: 1 }), "EE").message;
    expect(errored).toBe('metric "p95" errored 2 times in a row (limit 1): connection refused');
    const inconclusive = record(metric("m", { failureCondition: "result < 0.9" }), "I").message;
    expect(inconclusive).toBe(
      'metric "m" was inconclusive 1 time (limit 0): last value 0.95, condition result >= 0.99, failure condition result < 0.9',
    );
    expect(record(metric("m"), "S").message).toBe(
      'metric "m" passed 1 of 1 measurements: last value 0.995, condition result >= 0.99',
    );
    expect(record(metric("m", { count: 3, interval: "1m", failureLimit: 3 }), "FFF").message).toMatch(
      /took 3 measurements and none was successful \(3 failed/,
    );
    // Why the measurements were inconclusive is said, so nobody is asked to act without knowing.
    const slow = metric("m", { count: 2, interval: "1m", inconclusiveLimit: 2 });
    let thin = emptyMetricResult(slow, false);
    for (const i of [0, 1])
      thin = recordMeasurement(
        thin,
        { ...measurement("I", i), message: "insufficient traffic: 17 of 50 requests" },
        slow,
      );
    expect(metricMessage(slow, thin, "Inconclusive")).toBe(
      'metric "m" took 2 measurements and none was successful (0 failed, 2 inconclusive: insufficient traffic: 17 of 50 requests, 0 errors), condition result >= 0.99',
    );
  });
});

describe("effectiveCount", () => {
  it.each([
    [{}, 1],
    [{ count: 3, interval: "1m" }, 3],
    [{ interval: "1m" }, undefined],
    [{ interval: "1m", count: 0 }, undefined],
    [{ count: 0 }, 1],
  ] as const)("%j -> %s", (over, expected) => {
    expect(effectiveCount(metric("m", over))).toBe(expected);
  });
});

function run(metrics: Metric[], results: Record<string, string>, over: Partial<AnalysisRun["spec"]> = {}): AnalysisRun {
  return {
    apiVersion: API_VERSION,
    kind: "AnalysisRun",
    metadata: { name: "r" },
    spec: { metrics, args: [], dryRun: [], measurementRetention: [], terminate: false, ...over },
    status: {
      phase: "Running",
      metricResults: metrics.filter((m) => results[m.name] !== undefined).map((m) => record(m, results[m.name] ?? "")),
    },
  };
}

describe("runVerdict", () => {
  const a = metric("a", { count: 3, interval: "1m" });
  const b = metric("b", { count: 3, interval: "1m" });
  it.each([
    ["all successful", { a: "SSS", b: "SSS" }, "Successful"],
    ["one still running", { a: "SSS", b: "S" }, "Running"],
    ["one not started", { a: "SSS" }, "Running"],
    ["a failed metric ends the run at once", { a: "F", b: "S" }, "Failed"],
    ["Failed beats Error", { a: "F", b: "EEEEE" }, "Failed"],
    ["Error beats Inconclusive", { a: "I", b: "EEEEE" }, "Error"],
    ["Inconclusive beats Running", { a: "I", b: "S" }, "Inconclusive"],
  ])("%s", (_d, results, expected) => {
    expect(runVerdict(run([a, b], results)).phase).toBe(expected);
  });

  it("ignores a dry-run metric's failure but records it in the message", () => {
    const v = runVerdict(run([a, b], { a: "SSS", b: "F" }, { dryRun: [{ metricName: "b" }] }));
    expect(v.phase).toBe("Successful");
    expect(v.message).toContain('dry run: metric "b" failed 1 time');
  });

  it("waits for an unfinished dry-run metric", () => {
    expect(runVerdict(run([a, b], { a: "SSS", b: "S" }, { dryRun: [{ metricName: "b" }] })).phase).toBe("Running");
  });

  it("decides with what it has when terminated", () => {
    const bg = metric("bg", { interval: "1m" });
    const v = runVerdict(run([bg], { bg: "SS" }, { terminate: true }));
    expect(v.phase).toBe("Successful");
    expect(v.message).toMatch(/^terminated: metric "bg" passed 2 of 2/);
  });

  it("is an Error without metrics", () => {
    expect(runVerdict(run([], {})).phase).toBe("Error");
  });

  it("carries the failing metric's message", () => {
    expect(runVerdict(run([a, b], { a: "F", b: "S" })).message).toBe(
      'metric "a" failed 1 time (limit 0): last value 0.85, condition result >= 0.99',
    );
  });
});

describe("retentionFor / withVerdict", () => {
  it("reads the run's measurementRetention", () => {
    const r = run([metric("a")], {}, { measurementRetention: [{ metricName: "a", limit: 3 }] });
    expect(retentionFor(r, "a")).toBe(3);
    expect(retentionFor(r, "b")).toBe(10);
  });

  it("recomputes phase and message when terminating", () => {
    const m = metric("bg", { interval: "1m" });
    const r = withVerdict(record(m, "S"), m, { terminating: true });
    expect(r.phase).toBe("Successful");
    expect(r.message).toContain("passed 1 of 1");
  });
});
