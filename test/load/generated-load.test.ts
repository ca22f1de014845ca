import path from "node:path";
import { describe, expect, it } from "vitest";
import type { AnalysisRun, Rollout } from "../../src/model/index.js";
import { RouterClient } from "../../src/platform/local/router/router-client.js";
import { demoRollout, isHealthy, waitForRollout } from "../helpers/rollouts.js";
import { teardownAfterEach } from "../helpers/teardown.js";
import { waitFor } from "../helpers/wait.js";

// A service with almost no user traffic (2 req/s, a tenth of it to the canary) judged with the
// load its analysis step generates: a real `sluice up`, real replicas, the real router.
const started = teardownAfterEach();

const template = {
  apiVersion: "sluice.dev/v1alpha1",
  kind: "AnalysisTemplate",
  metadata: { name: "canary-success" },
  spec: {
    metrics: [
      {
        name: "success-rate",
        provider: { builtin: { window: "5s", minRequests: 50 } },
        interval: "2s",
        count: 3,
        successCondition: "result.canary.successRate >= 0.95",
        inconclusiveLimit: 5,
      },
    ],
  },
};

const strategy = {
  canary: {
    steps: [
      { setWeight: 10 },
      { analysis: { templates: [{ templateName: "canary-success" }], load: { rate: 40, concurrency: 4 } } },
    ],
  },
};

/** Requests to the canary revision of `web` in the last `window` seconds, by whose they were. */
async function canaryRequests(router: RouterClient, canary: string, window: number) {
  const of = async (traffic: "user" | "generated") =>
    (await router.getTelemetry("web", window, traffic)).find((t) => t.revision === canary)?.requests ?? 0;
  return { user: await of("user"), generated: await of("generated") };
}

describe("generated load", () => {
  it("rolls back a bad canary and promotes a good one on a 2 req/s service", async () => {
    const c = await started.controller();
    const router = new RouterClient(path.join(c.stateDir, "router.sock"));
    await c.api.post("/apply", { resources: [template, demoRollout("web", { VERSION: "1.0" }, strategy)] });
    await waitForRollout(c.api, "web", isHealthy);
    started.load({ url: c.routerUrl, host: "web", ratePerSecond: 2 });

    // A canary failing 30% of its requests: the generated load shows it within one analysis.
    await c.api.post("/rollouts/web/set", { env: { VERSION: "2.0", ERROR_RATE: "0.3" } });
    const measuring = await waitForRollout(c.api, "web", (r) => r.status?.analysisRuns.step !== undefined);
    const bad = measuring.status?.currentRevision ?? "";
    const degraded = await waitForRollout(c.api, "web", (r) => r.status?.phase === "Degraded");
    expect(degraded.status?.message).toMatch(/success-rate.*failed/);
    expect(degraded.status?.revisions.find((r) => r.role === "stable")?.weight).toBe(100);
    // The evidence was generated: users sent the canary a handful of requests, Sluice hundreds.
    const seen = await canaryRequests(router, bad, 600);
    expect(seen.generated).toBeGreaterThanOrEqual(50);
    expect(seen.user).toBeLessThan(20);
    // And the load stopped with the analysis: nothing generated reaches the canary any more.
    await waitFor(async () => (await canaryRequests(router, bad, 2)).generated === 0, {
      timeoutMs: 10_000,
      message: "generated load to stop after the rollback",
    });

    // A good canary on the same quiet service is promoted on the same kind of evidence.
    await c.api.post("/rollouts/web/set", { env: { VERSION: "3.0", ERROR_RATE: "0" } });
    const healthy = await waitForRollout(c.api, "web", (r) => isHealthy(r) && r.status?.currentRevision !== bad, {
      timeoutMs: 90_000,
    });
    const good = healthy.status?.currentRevision ?? "";
    expect((await canaryRequests(router, good, 600)).generated).toBeGreaterThanOrEqual(50);
    const runs = await c.api.get<AnalysisRun[]>("/analysisruns");
    const verdicts = runs.map((r) => r.status?.phase).sort();
    expect(verdicts).toEqual(["Failed", "Successful"]);
    const rollout = await c.api.get<Rollout>("/rollouts/web");
    expect(rollout.status?.stableRevision).toBe(good);
  });

  it("stops with a killed controller, resumes after its restart while the analysis runs, and stops on abort", async () => {
    const c = await started.controller();
    const router = new RouterClient(path.join(c.stateDir, "router.sock"));
    const long = {
      ...template,
      metadata: { name: "long-analysis" },
      spec: {
        metrics: [{ ...template.spec.metrics[0], count: 60, interval: "1s", inconclusiveLimit: 60 }],
      },
    };
    const steps = [
      { setWeight: 10 },
      { analysis: { templates: [{ templateName: "long-analysis" }], load: { rate: 20 } } },
    ];
    await c.api.post("/apply", { resources: [long, demoRollout("web", { VERSION: "1.0" }, { canary: { steps } })] });
    await waitForRollout(c.api, "web", isHealthy);
    await c.api.post("/rollouts/web/set", { env: { VERSION: "2.0" } });
    const measuring = await waitForRollout(c.api, "web", (r) => r.status?.analysisRuns.step !== undefined);
    const canary = measuring.status?.currentRevision ?? "";
    const flowing = () => canaryRequests(router, canary, 2).then((n) => n.generated > 0);
    const stopped = () => canaryRequests(router, canary, 2).then((n) => n.generated === 0);
    await waitFor(flowing, { timeoutMs: 15_000, message: "generated load to reach the canary" });

    await c.kill9();
    await waitFor(stopped, { timeoutMs: 10_000, message: "load to stop with its controller" });
    await c.start();
    await waitFor(flowing, { timeoutMs: 20_000, message: "load to resume after the restart" });

    await c.api.post("/rollouts/web/abort", {});
    await waitForRollout(c.api, "web", (r) => r.status?.phase === "Degraded");
    await waitFor(stopped, { timeoutMs: 10_000, message: "load to stop on abort" });
  });
});
