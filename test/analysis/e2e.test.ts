import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Rollout } from "../../src/model/index.js";
import { type RunningPrometheus, startPrometheus } from "../helpers/prometheus.js";
import { demoRollout, isHealthy, waitForRollout } from "../helpers/rollouts.js";
import { teardownAfterEach } from "../helpers/teardown.js";
import { waitFor } from "../helpers/wait.js";

// Analysis end to end on the local platform: real replicas, the real router, a real Prometheus.
const started = teardownAfterEach();
const controller = () => started.controller();
const load = (url: string, ratePerSecond: number) => started.load({ url, ratePerSecond });

function canaryEndpoints(stateDir: string, rollout: Rollout): string[] {
  const canary = rollout.status?.revisions.find((r) => r.role === "canary")?.hash;
  const config = JSON.parse(readFileSync(`${stateDir}/router-config.json`, "utf8")) as {
    rollouts: { rollout: string; backends: { revision: string; endpoints: string[] }[] }[];
  };
  return config.rollouts[0]?.backends.find((b) => b.revision === canary)?.endpoints ?? [];
}

const template = (name: string, metric: Record<string, unknown>) => ({
  apiVersion: "sluice.dev/v1alpha1",
  kind: "AnalysisTemplate",
  metadata: { name },
  spec: { metrics: [{ name: "success-rate", ...metric }] },
});

const analysisStep = (name: string) => ({ analysis: { templates: [{ templateName: name }] } });

describe("analysis on the local platform", () => {
  it("aborts a canary with 15% errors through the builtin provider", async () => {
    const c = await controller();
    const builtin = template("builtin-success", {
      provider: { builtin: { window: "10s", minRequests: 20 } },
      interval: "1s",
      count: 5,
      successCondition: "result.canary.successRate >= 0.99",
      inconclusiveLimit: 5,
    });
    const strategy = { canary: { steps: [{ setWeight: 50 }, analysisStep("builtin-success"), { pause: {} }] } };
    await c.api.post("/apply", { resources: [builtin, demoRollout("web", { VERSION: "1.0" }, strategy)] });
    await waitForRollout(c.api, "web", isHealthy);
    load(c.routerUrl, 100);
    await c.api.post("/rollouts/web/set", { env: { VERSION: "2.0", ERROR_RATE: "0.15" } });
    const degraded = await waitForRollout(c.api, "web", (r) => r.status?.phase === "Degraded");
    expect(degraded.status?.message).toMatch(/success-rate.*failed.*result\.canary\.successRate=0\.8/);
    expect(degraded.status?.revisions.find((r) => r.role === "stable")?.weight).toBe(100);
  });

  it("aborts a canary with 15% errors through the prometheus provider, with the seeds' query", async () => {
    const { c, prom } = await pausedCanaryWithPrometheus("prom-success", { VERSION: "2.0", ERROR_RATE: "0.15" });
    await c.api.post("/apply", {
      resources: [
        template("prom-success", { provider: prometheusProvider(prom.url), successCondition: "result[0] >= 0.99" }),
      ],
    });
    await c.api.post("/rollouts/web/promote", {});
    const degraded = await waitForRollout(c.api, "web", (r) => r.status?.phase === "Degraded");
    expect(degraded.status?.message).toMatch(/success-rate.*failed.*result\[0\]=0\.8/);
  });

  it("keeps a canary with too little traffic Inconclusive and never promotes it", async () => {
    const c = await controller();
    const strategy = { canary: { steps: [{ setWeight: 50 }, analysisStep("needs-traffic")] } };
    await c.api.post("/apply", {
      resources: [
        template("needs-traffic", {
          provider: { builtin: { window: "30s", minRequests: 100 } },
          interval: "1s",
          count: 3,
          successCondition: "result.canary.successRate >= 0.99",
        }),
        demoRollout("web", { VERSION: "1.0" }, strategy),
      ],
    });
    await waitForRollout(c.api, "web", isHealthy);
    load(c.routerUrl, 5);
    await c.api.post("/rollouts/web/set", { env: { VERSION: "2.0" } });
    const paused = await waitForRollout(c.api, "web", (r) => r.status?.phase === "Paused");
    expect(paused.status?.message).toMatch(/Inconclusive/);
    expect(paused.status?.stableRevision).not.toBe(paused.status?.currentRevision);
    const runs =
      await c.api.get<{ status?: { metricResults: { measurements: { message?: string }[] }[] } }[]>("/analysisruns");
    const messages = runs.flatMap(
      (r) => r.status?.metricResults.flatMap((m) => m.measurements.map((x) => x.message)) ?? [],
    );
    expect(messages.some((m) => /insufficient traffic: \d+ of 100 requests/.test(m ?? ""))).toBe(true);
  });

  it("never promotes while Prometheus is down, and goes on once it is back", async () => {
    const { c, prom } = await pausedCanaryWithPrometheus("prom-outage", { VERSION: "2.0" });
    await c.api.post("/apply", {
      resources: [
        template("prom-outage", {
          provider: prometheusProvider(prom.url, "2s"),
          interval: "1s",
          count: 4,
          consecutiveErrorLimit: 30,
          successCondition: "result[0] >= 0.99",
        }),
      ],
    });
    await prom.stop({ keepData: true });
    await c.api.post("/rollouts/web/promote", {});
    // Errors pile up while it is down; the rollout must stay where it is.
    await waitFor(
      async () => {
        const runs = await c.api.get<{ status?: { metricResults: { consecutiveError: number }[] } }[]>("/analysisruns");
        return runs.some((r) => (r.status?.metricResults[0]?.consecutiveError ?? 0) >= 3);
      },
      { timeoutMs: 30_000, message: "errors recorded during the outage" },
    );
    const during = await c.api.get<Rollout>("/rollouts/web");
    expect(during.status?.phase).not.toBe("Healthy");
    expect(during.status?.stableRevision).not.toBe(during.status?.currentRevision);

    await prom.restart();
    const healthy = await waitForRollout(c.api, "web", isHealthy, { timeoutMs: 90_000 });
    expect(healthy.status?.revisions.find((r) => r.role === "stable")?.weight).toBe(100);
  });
});

/** The seeds' success-rate query, over a window short enough for a test. */
function prometheusProvider(address: string, timeout = "10s") {
  const query = 'sum(rate(http_requests_total{status!~"5.."}[15s])) / sum(rate(http_requests_total[15s]))';
  return { prometheus: { address, query, timeout } };
}

/**
 * A rollout paused at 50% on a canary with `env`, under load, and a real Prometheus scraping the
 * canary's replicas, as a team's scrape config would select them. The analysis step after the
 * pause uses `templateName`, applied here with a placeholder address until Prometheus is up.
 */
async function pausedCanaryWithPrometheus(templateName: string, env: Record<string, string>) {
  const c = await controller();
  const strategy = { canary: { steps: [{ setWeight: 50 }, { pause: {} }, analysisStep(templateName)] } };
  const placeholder = template(templateName, {
    provider: prometheusProvider("http://127.0.0.1:1"),
    successCondition: "true",
  });
  await c.api.post("/apply", { resources: [placeholder, demoRollout("web", { VERSION: "1.0" }, strategy)] });
  await waitForRollout(c.api, "web", isHealthy);
  load(c.routerUrl, 100);
  await c.api.post("/rollouts/web/set", { env });
  const paused = await waitForRollout(c.api, "web", (r) => r.status?.phase === "Paused");
  const targets = await waitFor(() => {
    const eps = canaryEndpoints(c.stateDir, paused);
    return eps.length > 0 ? eps : undefined;
  });
  const prom = await startPrometheus({ targets });
  started.defer(() => prom.stop());
  await waitForSamples(prom, "sum(rate(http_requests_total[15s])) > 0");
  return { c, prom };
}

async function waitForSamples(prom: RunningPrometheus, query: string) {
  await waitFor(
    async () => {
      const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(query)}`);
      const body = (await res.json()) as { data?: { result?: unknown[] } };
      return (body.data?.result?.length ?? 0) > 0;
    },
    { timeoutMs: 30_000, intervalMs: 250, message: "Prometheus to have samples" },
  );
}
