import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { LoadGenerator } from "../../src/demo/load.js";
import type { AnalysisRun, Rollout } from "../../src/model/index.js";
import { ControllerProcess } from "../helpers/controller.js";
import { type RunningPrometheus, startPrometheus, waitForSeries } from "../helpers/prometheus.js";
import { demoRollout, isHealthy, waitForRollout } from "../helpers/rollouts.js";
import { startTcpProxy } from "../helpers/tcp-proxy.js";
import { waitFor } from "../helpers/wait.js";

// The judge with a real Prometheus scraping real replicas of both revisions (each labelled with
// its revision, as a team's relabelling would): a Prometheus restart and a lost scrape target in the
// middle of the analysis must neither promote blind nor fail a healthy canary on stale data.
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => {});
});

const counts = {
  requests: 'sum(http_requests_total{revision="{{revision}}"})',
  // No 5xx series yet is zero errors; no requests series at all (a lost target) stays no data.
  errors: 'sum(http_requests_total{revision="{{revision}}",status=~"5.."}) or vector(0)',
};

function template(address: string, judge: Record<string, unknown>) {
  return {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: { name: "prom-judge" },
    spec: {
      metrics: [
        {
          name: "errors",
          interval: "1s",
          consecutiveErrorLimit: 60,
          provider: { prometheus: { address, counts: { ...counts, maxSampleAge: "4s" }, timeout: "2s" } },
          judge: { errorRate: {}, ...judge },
        },
      ],
    },
  };
}

function endpointsOf(stateDir: string, revision: string | undefined): string[] {
  const config = JSON.parse(readFileSync(`${stateDir}/router-config.json`, "utf8")) as {
    rollouts: { backends: { revision: string; endpoints: string[] }[] }[];
  };
  return config.rollouts[0]?.backends.find((b) => b.revision === revision)?.endpoints ?? [];
}

async function judgeResult(c: ControllerProcess) {
  const runs = await c.api.get<AnalysisRun[]>("/analysisruns");
  return runs.at(-1)?.status?.metricResults[0];
}

/** A rollout paused at 50% on a canary with `env` under load; Prometheus scrapes both revisions, the canary through relays a test can cut. */
async function setup(env: Record<string, string>) {
  const c = await new ControllerProcess().start();
  cleanups.push(() => c.destroy());
  const strategy = {
    canary: {
      steps: [{ setWeight: 50 }, { pause: {} }, { analysis: { templates: [{ templateName: "prom-judge" }] } }],
    },
  };
  await c.api.post("/apply", {
    resources: [template("http://127.0.0.1:1", {}), demoRollout("web", { VERSION: "1.0" }, strategy)],
  });
  await waitForRollout(c.api, "web", isHealthy);
  const l = new LoadGenerator({ url: c.routerUrl, ratePerSecond: 100 });
  l.start();
  cleanups.push(async () => {
    await l.stop();
  });
  await c.api.post("/rollouts/web/set", { env });
  const paused = await waitForRollout(c.api, "web", (r) => r.status?.phase === "Paused");
  const canary = paused.status?.revisions.find((r) => r.role === "canary")?.hash ?? "";
  const stable = paused.status?.revisions.find((r) => r.role === "stable")?.hash ?? "";
  const canaryEps = await waitFor(() => {
    const eps = endpointsOf(c.stateDir, canary);
    return eps.length > 0 ? eps : undefined;
  });
  const relays = await Promise.all(
    canaryEps.map((ep) => {
      const [host, port] = ep.split(":");
      return startTcpProxy({ host: host ?? "127.0.0.1", port: Number(port) });
    }),
  );
  for (const r of relays) cleanups.push(() => r.close());
  const prom = await startPrometheus({
    targets: [],
    groups: [
      { targets: relays.map((r) => `127.0.0.1:${r.port}`), labels: { revision: canary } },
      { targets: endpointsOf(c.stateDir, stable), labels: { revision: stable } },
    ],
  });
  cleanups.push(() => prom.stop());
  await seriesOf(prom, canary);
  await seriesOf(prom, stable);
  return { c, prom, relays, canary };
}

const seriesOf = (prom: RunningPrometheus, revision: string) =>
  waitForSeries(prom, counts.requests.replace("{{revision}}", revision), `${revision}'s series`);

const notPromoted = (r: Rollout) => r.status?.stableRevision !== r.status?.currentRevision;

describe("the judge with a real Prometheus", () => {
  it("survives a Prometheus restart and a lost canary target without deciding blind, then promotes an identical canary", async () => {
    const { c, prom, relays } = await setup({ VERSION: "2.0" });
    // Enough requests that the judge cannot finish before the outages below.
    await c.api.post("/apply", { resources: [template(prom.url, { minRequests: 1500, maxDuration: "3m" })] });
    await c.api.post("/rollouts/web/promote", {});
    await waitFor(async () => ((await judgeResult(c))?.judge?.looks.length ?? 0) >= 2, {
      timeoutMs: 30_000,
      message: "two looks",
    });

    // 1. Prometheus goes away: errors pile up, nothing is decided.
    await prom.stop({ keepData: true });
    await waitFor(async () => ((await judgeResult(c))?.consecutiveError ?? 0) >= 2, {
      timeoutMs: 30_000,
      message: "errors during the outage",
    });
    const during = await c.api.get<Rollout>("/rollouts/web");
    expect(notPromoted(during)).toBe(true);
    expect((await judgeResult(c))?.judge?.outcome).toBe("Running");
    await prom.restart();
    const looksAfterRestart = (await judgeResult(c))?.judge?.looks.length ?? 0;
    await waitFor(async () => ((await judgeResult(c))?.judge?.looks.length ?? 0) > looksAfterRestart, {
      timeoutMs: 30_000,
      message: "a look after the restart",
    });

    // 2. The canary's scrape target is lost: its series go stale, so no look and no verdict.
    for (const r of relays) r.cut();
    await waitFor(
      async () => {
        const m = (await judgeResult(c))?.measurements.at(-1);
        return m?.phase === "Inconclusive" && /stale|no data|no fresh/.test(m.message ?? "");
      },
      { timeoutMs: 30_000, message: "an Inconclusive look while the canary target is lost" },
    );
    const lost = await judgeResult(c);
    expect(lost?.judge?.outcome).toBe("Running");
    expect(notPromoted(await c.api.get<Rollout>("/rollouts/web"))).toBe(true);
    for (const r of relays) r.restore();

    const done = await waitForRollout(c.api, "web", (r) => isHealthy(r) || r.status?.phase === "Degraded", {
      timeoutMs: 120_000,
    });
    const final = await judgeResult(c);
    expect(done.status?.phase, final?.judge?.explanation).toBe("Healthy");
    expect(final?.judge?.outcome).toBe("Successful");
    expect(final?.judge?.looks.at(-1)?.canary.requests ?? 0).toBeGreaterThanOrEqual(1500);
  });

  it("rolls back a canary with 15% errors from Prometheus counts", async () => {
    const { c, prom } = await setup({ VERSION: "2.0", ERROR_RATE: "0.15" });
    await c.api.post("/apply", { resources: [template(prom.url, { maxDuration: "60s" })] });
    await c.api.post("/rollouts/web/promote", {});
    const degraded = await waitForRollout(c.api, "web", (r) => r.status?.phase === "Degraded", { timeoutMs: 60_000 });
    expect(degraded.status?.message).toMatch(/metric "errors"/);
    const result = await judgeResult(c);
    expect(result?.judge?.outcome).toBe("Failed");
    expect(result?.judge?.explanation).not.toMatch(/insufficient evidence/);
  });
});
