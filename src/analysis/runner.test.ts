import { describe, expect, it } from "vitest";
import { type AnalysisRun, API_VERSION, type Metric } from "../model/index.js";
import type { MeasureContext, MetricProviderPort, ProviderResult } from "./providers/provider.js";
import { measureDue, terminateRun } from "./runner.js";
import { runWakeAt } from "./schedule.js";

const T0 = new Date("2025-01-01T00:00:00Z");
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const ctx: MeasureContext = { args: {}, rollout: "web", canaryRevision: "abc123", stableRevision: "def456" };

function metric(name: string, provider: Metric["provider"], over: Partial<Metric> = {}): Metric {
  return {
    name,
    provider,
    successCondition: "result >= 0.99",
    failureLimit: 0,
    inconclusiveLimit: 0,
    consecutiveErrorLimit: 4,
    consecutiveSuccessLimit: 0,
    ...over,
  };
}

const builtin = { builtin: { window: "1m", minRequests: 100 } };
const prom = {
  prometheus: { address: "http://127.0.0.1:9090", query: "up", timeout: "10s", headers: [], insecure: false },
};

/** A provider that answers from a script, one entry per call, and records what it was asked. */
function scripted(kind: MetricProviderPort["kind"], script: (ProviderResult | Error)[]) {
  const calls: { metric: string; ctx: MeasureContext }[] = [];
  const provider: MetricProviderPort = {
    kind,
    async measure(m, c) {
      calls.push({ metric: m.name, ctx: c });
      const next = script[Math.min(calls.length - 1, script.length - 1)];
      if (next instanceof Error) throw next;
      if (!next) throw new Error("script is empty");
      return next;
    },
  };
  return { provider, calls };
}

function run(metrics: Metric[], over: Partial<AnalysisRun["spec"]> = {}): AnalysisRun {
  return {
    apiVersion: API_VERSION,
    kind: "AnalysisRun",
    metadata: { name: "web-abc123-step-1" },
    spec: { metrics, args: [], dryRun: [], measurementRetention: [], terminate: false, ...over },
    status: { phase: "Pending", metricResults: [] },
  };
}

describe("measureDue", () => {
  it("starts the run, measures due metrics in parallel and reaches a verdict", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const slow = (kind: MetricProviderPort["kind"], value: unknown): MetricProviderPort => ({
      kind,
      async measure() {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight--;
        return { value, query: `${kind} query` };
      },
    });
    const r = run([metric("a", builtin), metric("b", prom)]);
    const next = await measureDue(
      r,
      { builtin: slow("builtin", 0.995), prometheus: slow("prometheus", 0.999) },
      ctx,
      T0,
    );
    expect(maxInFlight).toBe(2);
    expect(next.status).toMatchObject({
      phase: "Successful",
      startedAt: T0.toISOString(),
      finishedAt: T0.toISOString(),
    });
    expect(next.status?.metricResults.map((m) => [m.name, m.phase, m.measurements[0]?.query])).toEqual([
      ["a", "Successful", "builtin query"],
      ["b", "Successful", "prometheus query"],
    ]);
    expect(r.status?.phase).toBe("Pending");
  });

  it("follows the schedule with a fake clock until the count is reached", async () => {
    const { provider, calls } = scripted("builtin", [{ value: 0.995, query: "q" }]);
    let r = run([metric("a", builtin, { interval: "1m", count: 3 })]);
    r = await measureDue(r, { builtin: provider }, ctx, at(0));
    expect(r.status?.phase).toBe("Running");
    expect(runWakeAt(r)?.toISOString()).toBe(at(60).toISOString());
    r = await measureDue(r, { builtin: provider }, ctx, at(30));
    expect(calls).toHaveLength(1);
    r = await measureDue(r, { builtin: provider }, ctx, at(60));
    r = await measureDue(r, { builtin: provider }, ctx, at(120));
    expect(calls).toHaveLength(3);
    expect(r.status?.phase).toBe("Successful");
    expect(r.status?.message).toBe('metric "a" passed 3 of 3 measurements: last value 0.995, condition result >= 0.99');
    expect(await measureDue(r, { builtin: provider }, ctx, at(500))).toBe(r);
    expect(calls[0]?.ctx).toBe(ctx);
  });

  it("records a provider that throws as an Error and keeps going (fail safe)", async () => {
    const { provider } = scripted("prometheus", [new Error("socket hang up")]);
    let r = run([metric("a", prom, { interval: "10s", count: 2, consecutiveErrorLimit: 1 })]);
    r = await measureDue(r, { prometheus: provider }, ctx, at(0));
    const result = r.status?.metricResults[0];
    expect(result).toMatchObject({ phase: "Running", error: 1, consecutiveError: 1, count: 0 });
    expect(result?.measurements[0]).toMatchObject({
      phase: "Error",
      message: "the prometheus provider failed: socket hang up",
    });
    r = await measureDue(r, { prometheus: provider }, ctx, at(10));
    expect(r.status?.phase).toBe("Error");
    expect(r.status?.message).toBe(
      'metric "a" errored 2 times in a row (limit 1): the prometheus provider failed: socket hang up',
    );
  });

  it("gives an Error measurement when the platform lacks the provider, or it returns garbage", async () => {
    const garbage: MetricProviderPort = { kind: "web", measure: async () => undefined as unknown as ProviderResult };
    const web = {
      web: { url: "http://127.0.0.1/", method: "GET" as const, headers: [], timeoutSeconds: 1, insecure: false },
    };
    const r = await measureDue(run([metric("a", prom), metric("b", web)]), { web: garbage }, ctx, T0);
    expect(r.status?.metricResults.map((m) => m.measurements[0]?.message)).toEqual([
      "no prometheus provider is available on this platform",
      "the web provider returned no result",
    ]);
  });

  it("fails the run on a failed metric without waiting for the others, and keeps dry-run metrics out", async () => {
    const { provider } = scripted("builtin", [{ value: 0.5, query: "q" }]);
    const r = run([metric("gate", builtin), metric("watch", builtin, { interval: "1m" })]);
    const failed = await measureDue(r, { builtin: provider }, ctx, T0);
    expect(failed.status?.phase).toBe("Failed");
    expect(failed.status?.message).toMatch(/^metric "gate" failed 1 time \(limit 0\): last value 0.5/);

    const dry = await measureDue(
      run([metric("gate", builtin, { successCondition: "result >= 0.1" }), metric("watch", builtin)], {
        dryRun: [{ metricName: "watch" }],
      }),
      { builtin: provider },
      ctx,
      T0,
    );
    expect(dry.status?.phase).toBe("Successful");
    expect(dry.status?.metricResults[1]).toMatchObject({ name: "watch", phase: "Failed", dryRun: true });
    expect(dry.status?.message).toContain('dry run: metric "watch" failed');
  });

  it("stamps startedAt with now and finishedAt with the clock", async () => {
    const { provider } = scripted("builtin", [{ value: 1, query: "q" }]);
    const r = await measureDue(run([metric("a", builtin)]), { builtin: provider }, ctx, T0, { clock: () => at(2) });
    expect(r.status?.metricResults[0]?.measurements[0]).toMatchObject({
      startedAt: T0.toISOString(),
      finishedAt: at(2).toISOString(),
      value: "1",
    });
  });

  it("ends a run marked for termination instead of measuring", async () => {
    const { provider, calls } = scripted("builtin", [{ value: 1, query: "q" }]);
    const r = await measureDue(
      run([metric("a", builtin, { interval: "1m" })], { terminate: true }),
      { builtin: provider },
      ctx,
      T0,
    );
    expect(calls).toHaveLength(0);
    expect(r.status?.phase).toBe("Successful");
  });

  it("is an Error for a run without metrics", async () => {
    const r = await measureDue(run([]), {}, ctx, T0);
    expect(r.status).toMatchObject({ phase: "Error", message: "the analysis run has no metrics" });
  });
});

describe("terminateRun", () => {
  it("stops a background run with the verdict it has", async () => {
    const { provider } = scripted("builtin", [{ value: 0.995, query: "q" }]);
    let r = run([metric("bg", builtin, { interval: "1m" })]);
    r = await measureDue(r, { builtin: provider }, ctx, at(0));
    r = await measureDue(r, { builtin: provider }, ctx, at(60));
    expect(r.status?.phase).toBe("Running");
    const done = terminateRun(r, at(90));
    expect(done.spec.terminate).toBe(true);
    expect(done.status).toMatchObject({ phase: "Successful", finishedAt: at(90).toISOString() });
    expect(done.status?.metricResults[0]?.phase).toBe("Successful");
    expect(done.status?.message).toMatch(/^terminated: metric "bg" passed 2 of 2/);
  });

  it("ends Inconclusive when nothing but errors was measured, and leaves finished runs alone", async () => {
    const { provider } = scripted("builtin", [{ error: "router unreachable", query: "q" }]);
    const r = await measureDue(run([metric("bg", builtin, { interval: "1m" })]), { builtin: provider }, ctx, T0);
    const done = terminateRun(r, at(5));
    expect(done.status?.phase).toBe("Inconclusive");
    expect(terminateRun(done, at(10))).toBe(done);
  });

  it("ends a run that never measured as Successful", () => {
    const done = terminateRun(run([metric("bg", builtin, { interval: "1m", initialDelay: "5m" })]), T0);
    expect(done.status).toMatchObject({ phase: "Successful", startedAt: T0.toISOString() });
  });
});
