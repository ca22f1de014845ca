import { describe, expect, it } from "vitest";
import type { Metric } from "../model/index.js";
import { assessMeasurement, containsNaN, measurementValue, providerKind } from "./measurement.js";
import type { ProviderResult } from "./providers/provider.js";

const now = new Date("2025-01-01T00:00:10Z");

function metric(conditions: { successCondition?: string; failureCondition?: string }): Metric {
  return {
    name: "success-rate",
    provider: {
      prometheus: { address: "http://127.0.0.1:9090", query: "q", timeout: "10s", headers: [], insecure: false },
    },
    failureLimit: 0,
    inconclusiveLimit: 0,
    consecutiveErrorLimit: 4,
    consecutiveSuccessLimit: 0,
    ...conditions,
  };
}

const S = "result >= 0.99";
const F = "result < 0.9";

describe("assessMeasurement", () => {
  it.each([
    // [success, failure, value, phase]
    [S, undefined, 0.995, "Successful"],
    [S, undefined, 0.95, "Failed"],
    [undefined, F, 0.95, "Successful"],
    [undefined, F, 0.85, "Failed"],
    [S, F, 0.995, "Successful"],
    [S, F, 0.85, "Failed"],
    [S, F, 0.95, "Inconclusive"],
    // NaN: only a true condition decides.
    [S, undefined, Number.NaN, "Inconclusive"],
    [undefined, F, Number.NaN, "Inconclusive"],
    [S, F, Number.NaN, "Inconclusive"],
    ["isNaN(result) || result >= 0.99", undefined, Number.NaN, "Successful"],
    [undefined, "isNaN(result)", Number.NaN, "Failed"],
    // No conditions: a boolean decides, anything else is recorded as a success.
    [undefined, undefined, true, "Successful"],
    [undefined, undefined, false, "Failed"],
    [undefined, undefined, 42, "Successful"],
    [undefined, undefined, Number.NaN, "Inconclusive"],
    // Evaluation errors.
    ["result[0] >= 0.99", undefined, [], "Error"],
    ["result.canary.p95 < 200", undefined, { canary: {} }, "Error"],
    [undefined, "result.x > 1", { y: 1 }, "Error"],
    ["result >= 0.99 &&", undefined, 1, "Error"],
  ] as const)("success %s, failure %s, value %j -> %s", async (successCondition, failureCondition, value, phase) => {
    const m = metric({
      ...(successCondition ? { successCondition } : {}),
      ...(failureCondition ? { failureCondition } : {}),
    });
    expect((await assessMeasurement(m, { value, query: "q" }, now)).phase).toBe(phase);
  });

  it("lets a NaN the conditions never read leave the verdict alone", async () => {
    const value = {
      canary: { successRate: 0.8, errorRate: 0.2 },
      stable: { successRate: Number.NaN, errorRate: Number.NaN },
    };
    const canaryOnly = metric({ successCondition: "result.canary.successRate >= 0.99" });
    expect((await assessMeasurement(canaryOnly, { value, query: "q" }, now)).phase).toBe("Failed");
    const failureOnly = metric({ failureCondition: "result.canary.errorRate > 0.5" });
    expect((await assessMeasurement(failureOnly, { value, query: "q" }, now)).phase).toBe("Successful");
    const compared = metric({ successCondition: "result.canary.errorRate - result.stable.errorRate < 0.01" });
    expect(await assessMeasurement(compared, { value, query: "q" }, now)).toMatchObject({
      phase: "Inconclusive",
      value: '{"canary":{"successRate":0.8,"errorRate":0.2},"stable":{"successRate":"NaN","errorRate":"NaN"}}',
    });
    const stableFailure = metric({ failureCondition: "result.stable.errorRate > 0.5" });
    expect((await assessMeasurement(stableFailure, { value, query: "q" }, now)).phase).toBe("Inconclusive");
  });

  it("stores the value as JSON text, the query, times and a message saying why", async () => {
    const start = new Date("2025-01-01T00:00:09Z");
    const m = await assessMeasurement(metric({ successCondition: S }), { value: [0.85], query: "sum(x)" }, now, start);
    expect(m).toEqual({
      phase: "Error",
      value: "[0.85]",
      query: "sum(x)",
      startedAt: start.toISOString(),
      finishedAt: now.toISOString(),
      message: expect.stringContaining("result >= 0.99"),
    });
    const failed = await assessMeasurement(metric({ successCondition: S }), { value: 0.85, query: "q" }, now);
    expect(failed.message).toBe("success condition result >= 0.99 was false");
    expect(failed.startedAt).toBe(now.toISOString());
  });

  it("keeps a provider error as an Error without a value", async () => {
    const m = await assessMeasurement(
      metric({ successCondition: S }),
      { error: "connection refused", query: "q" },
      now,
    );
    expect(m).toMatchObject({ phase: "Error", message: "connection refused", query: "q" });
    expect(m.value).toBeUndefined();
  });

  it("keeps a provider's inconclusive reason and value", async () => {
    const r: ProviderResult = {
      inconclusive: "12 requests, need 100",
      value: { canary: { requests: 12 } },
      query: "q",
    };
    const m = await assessMeasurement(metric({ successCondition: S }), r, now);
    expect(m).toMatchObject({
      phase: "Inconclusive",
      message: "12 requests, need 100",
      value: '{"canary":{"requests":12}}',
    });
  });

  it("treats a missing value as Inconclusive, never as a pass", async () => {
    const m = await assessMeasurement(metric({ failureCondition: F }), { value: undefined, query: "q" }, now);
    expect(m.phase).toBe("Inconclusive");
  });
});

describe("measurementValue", () => {
  it("writes NaN and infinities so they survive JSON", () => {
    expect(measurementValue(Number.NaN)).toBe('"NaN"');
    expect(measurementValue([1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])).toBe('[1,"+Inf","-Inf"]');
    expect(measurementValue({ a: 2n })).toBe('{"a":2}');
  });
});

describe("containsNaN", () => {
  it.each([
    [Number.NaN, true],
    [[1, [2, Number.NaN]], true],
    [{ canary: { successRate: Number.NaN } }, true],
    [{ canary: { successRate: 1 } }, false],
    ["NaN", false],
  ])("%j -> %s", (v, expected) => {
    expect(containsNaN(v)).toBe(expected);
  });
});

describe("providerKind", () => {
  it("names the provider set on the metric", () => {
    expect(providerKind(metric({}))).toBe("prometheus");
    expect(() => providerKind({ ...metric({}), provider: {} })).toThrow(/no provider/);
  });
});
