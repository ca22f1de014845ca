import { describe, expect, it } from "vitest";
import { type AnalysisRun, API_VERSION, type Metric } from "../model/index.js";
import { explainRun } from "./explain.js";
import type { MeasureContext, MetricProviderPort, ProviderResult } from "./providers/provider.js";
import { measureDue } from "./runner.js";

const T0 = new Date("2025-01-01T00:00:00Z");
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const ctx: MeasureContext = { args: {}, rollout: "web", canaryRevision: "abc123" };

function metric(name: string, over: Partial<Metric> = {}): Metric {
  return {
    name,
    provider: {
      prometheus: {
        address: "http://127.0.0.1:9090",
        query: "sum(rate(ok[1m]))\n  / sum(rate(all[1m]))",
        timeout: "10s",
        headers: [],
        insecure: false,
      },
    },
    successCondition: "result >= 0.99",
    failureLimit: 1,
    inconclusiveLimit: 0,
    consecutiveErrorLimit: 4,
    consecutiveSuccessLimit: 0,
    ...over,
  };
}

function provider(values: number[]): MetricProviderPort {
  let i = 0;
  return {
    kind: "prometheus",
    async measure(m): Promise<ProviderResult> {
      return { value: values[i++] ?? 0, query: m.provider.prometheus?.query ?? "" };
    },
  };
}

function run(metrics: Metric[], dryRun: string[] = []): AnalysisRun {
  return {
    apiVersion: API_VERSION,
    kind: "AnalysisRun",
    metadata: { name: "r" },
    spec: {
      metrics,
      args: [],
      dryRun: dryRun.map((metricName) => ({ metricName })),
      measurementRetention: [],
      terminate: false,
    },
    status: { phase: "Pending", metricResults: [] },
  };
}

describe("explainRun", () => {
  it("shows why a run failed, with values, counts toward every limit and the query", async () => {
    const p = provider([0.85, 0.995, 0.8]);
    let r = run([metric("success-rate", { interval: "1m", count: 5 })]);
    for (const s of [0, 60, 120]) r = await measureDue(r, { prometheus: p }, ctx, at(s));
    expect(explainRun(r)).toEqual([
      'verdict: metric "success-rate" failed 2 times (limit 1): last value 0.8, condition result >= 0.99',
      'metric "success-rate" (prometheus): Failed',
      "  condition: success when result >= 0.99",
      "  measurements: 3 of 5, every 1m (1 successful, 2 failed, 0 inconclusive, 0 errors)",
      "  limits: failed 2/1, inconclusive 0/0, errors in a row 0/4",
      "  values, oldest first: 0.85 (Failed), 0.995 (Successful), 0.8 (Failed)",
      "  query: sum(rate(ok[1m])) / sum(rate(all[1m]))",
      "  last message: success condition result >= 0.99 was false",
    ]);
  });

  it("marks dry-run metrics, shows the success streak and the next measurement of a running run", async () => {
    const p = provider([0.995]);
    const r = await measureDue(
      run(
        [
          metric("gate", { interval: "30s", count: 4, consecutiveSuccessLimit: 2, failureCondition: "result < 0.9" }),
          metric("watch", { interval: "1m", initialDelay: "2m" }),
        ],
        ["watch"],
      ),
      { prometheus: p },
      ctx,
      T0,
    );
    const lines = explainRun(r);
    expect(lines).toContain("  condition: success when result >= 0.99; failure when result < 0.9");
    expect(lines).toContain("  limits: failed 0/1, inconclusive 0/0, errors in a row 0/4, successes in a row 1/2");
    expect(lines).toContain(`  next measurement: ${at(30).toISOString()}`);
    expect(lines).toContain('metric "watch" (prometheus): Pending [dry run: not part of the verdict]');
    expect(lines).toContain(
      "  measurements: 0 until stopped, every 1m (0 successful, 0 failed, 0 inconclusive, 0 errors)",
    );
    expect(lines).toContain(`  next measurement: ${at(120).toISOString()}`);
  });

  it("elides older values beyond the newest five", async () => {
    const p = provider([1, 1, 1, 1, 1, 1, 1]);
    let r = run([metric("m", { interval: "1s" })]);
    for (let s = 0; s < 7; s++) r = await measureDue(r, { prometheus: p }, ctx, at(s));
    expect(explainRun(r)).toContain(
      "  values, oldest first: ..., 1 (Successful), 1 (Successful), 1 (Successful), 1 (Successful), 1 (Successful)",
    );
  });
});
