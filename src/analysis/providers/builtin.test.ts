import { describe, expect, it } from "vitest";
import { Metric } from "../../model/index.js";
import type { RevisionTelemetry } from "../../platform/local/router/config.js";
import { BuiltinMetricProvider, builtinQuery, NO_TRAFFIC, summarizeRevision } from "./builtin.js";

function telemetry(revision: string, requests: number, successRate = 0.99): RevisionTelemetry {
  const fivexx = Math.round(requests * (1 - successRate));
  return {
    revision,
    windowSeconds: 60,
    requests,
    byClass: { "2xx": requests - fivexx, "3xx": 0, "4xx": 0, "5xx": fivexx, error: 0 },
    successRate,
    errorRate: 1 - successRate,
    p50: 10,
    p90: 20,
    p95: 30,
    p99: 40,
    requestRate: requests / 60,
  };
}

function metric(builtin: Record<string, unknown> = {}) {
  return Metric.parse({ name: "success-rate", provider: { builtin } });
}

const ctx = { args: {}, rollout: "web", canaryRevision: "c1", stableRevision: "s1" };

describe("summarizeRevision", () => {
  it("picks the named revision and drops the fields conditions do not use", () => {
    expect(summarizeRevision([telemetry("s1", 10), telemetry("c1", 200, 0.9)], "c1")).toEqual({
      successRate: 0.9,
      errorRate: 1 - 0.9,
      p50: 10,
      p90: 20,
      p95: 30,
      p99: 40,
      requestRate: 200 / 60,
      requests: 200,
    });
  });

  it("gives zero requests and NaN ratios for a revision with no telemetry", () => {
    const s = summarizeRevision([telemetry("c1", 5)], undefined);
    expect(s.requests).toBe(0);
    expect(s.successRate).toBeNaN();
    expect(summarizeRevision([], "x")).toEqual({ ...NO_TRAFFIC });
  });
});

describe("BuiltinMetricProvider", () => {
  it("returns canary and stable numbers once there is enough traffic", async () => {
    let asked: [string, number] | undefined;
    const p = new BuiltinMetricProvider(async (rollout, window) => {
      asked = [rollout, window];
      return [telemetry("c1", 150, 0.95), telemetry("s1", 600)];
    });
    const r = await p.measure(metric({ window: "30s", minRequests: 100 }), ctx);
    expect(asked).toEqual(["web", 30]);
    expect(r.inconclusive).toBeUndefined();
    expect(r.value).toMatchObject({ canary: { requests: 150, successRate: 0.95 }, stable: { requests: 600 } });
    expect(r.query).toBe("builtin rollout=web window=30s canary=c1 stable=s1");
  });

  it("is inconclusive below minRequests, and still records the numbers", async () => {
    const p = new BuiltinMetricProvider(async () => [telemetry("c1", 12)]);
    const r = await p.measure(metric({ minRequests: 100 }), ctx);
    expect(r.inconclusive).toBe("insufficient traffic: 12 of 100 requests");
    expect(r.error).toBeUndefined();
    expect(r.value).toMatchObject({ canary: { requests: 12 }, stable: { requests: 0 } });
  });

  it("counts a canary the router has not seen as zero requests", async () => {
    const r = await new BuiltinMetricProvider(async () => []).measure(metric(), ctx);
    expect(r.inconclusive).toBe("insufficient traffic: 0 of 100 requests");
  });

  it("turns a telemetry failure into an error naming the rollout", async () => {
    const p = new BuiltinMetricProvider(async () => {
      throw new Error("connect ECONNREFUSED 127.0.0.1:4000");
    });
    const r = await p.measure(metric(), ctx);
    expect(r.error).toBe(
      "router telemetry for rollout web is unavailable (connect ECONNREFUSED 127.0.0.1:4000); check that the router is running",
    );
  });

  it("gives up on a router that never answers when the measurement is cancelled", async () => {
    const p = new BuiltinMetricProvider(() => new Promise<RevisionTelemetry[]>(() => {}));
    const r = await p.measure(metric(), { ...ctx, signal: AbortSignal.timeout(50) });
    expect(r.error).toMatch(/cancelled/);
  });

  it("compares the canary with the baseline revision when the rollout runs one", async () => {
    const withTotal = (revision: string, requests: number, errors: number): RevisionTelemetry => ({
      ...telemetry(revision, requests),
      total: { requests, errors, buckets: [] },
    });
    const p = new BuiltinMetricProvider(async () => [
      withTotal("c1", 100, 4),
      withTotal("s1", 900, 1),
      withTotal("s1-baseline", 110, 2),
    ]);
    const both = { ...ctx, baselineRevision: "s1-baseline" };
    const judged = Metric.parse({ name: "errors", provider: { builtin: {} }, judge: { errorRate: {} } });
    const look = await p.measure(judged, both);
    expect(look.value).toMatchObject({ canary: { requests: 100, errors: 4 }, baseline: { requests: 110, errors: 2 } });
    expect(look.query).toBe("builtin rollout=web window=60s canary=c1 stable=s1 baseline=s1-baseline");
    // Without a baseline revision the stable revision is what the canary is compared with.
    const plain = await p.measure(judged, ctx);
    expect(plain.value).toMatchObject({ baseline: { requests: 900, errors: 1 } });
    // Threshold conditions can read the baseline's numbers too.
    const threshold = await p.measure(metric({ minRequests: 1 }), both);
    expect(threshold.value).toMatchObject({ baseline: { requests: 110 }, stable: { requests: 900 } });
  });

  it("leaves out the stable revision from the query when there is none", () => {
    expect(builtinQuery({ args: {}, rollout: "a", canaryRevision: "c" }, 60)).toBe(
      "builtin rollout=a window=60s canary=c",
    );
  });
});
