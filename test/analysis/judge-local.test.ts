import { afterEach, describe, expect, it } from "vitest";
import { LoadGenerator } from "../../src/demo/load.js";
import type { AnalysisRun, Rollout } from "../../src/model/index.js";
import { runSluice } from "../helpers/cli.js";
import { ControllerProcess } from "../helpers/controller.js";
import { demoRollout, isHealthy, waitForRollout } from "../helpers/rollouts.js";

// The judge end to end on the local platform: real `sluice up`, the real router carrying real HTTP,
// real demo-app replicas with a configurable error rate; the builtin provider counts both revisions.
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => {});
});

async function controller() {
  const c = await new ControllerProcess().start();
  cleanups.push(() => c.destroy());
  return c;
}

function load(url: string, ratePerSecond: number) {
  const l = new LoadGenerator({ url, ratePerSecond });
  l.start();
  cleanups.push(async () => {
    await l.stop();
  });
  return l;
}

const judgeTemplate = (name: string, judge: Record<string, unknown>) => ({
  apiVersion: "sluice.dev/v1alpha1",
  kind: "AnalysisTemplate",
  metadata: { name },
  spec: { metrics: [{ name: "errors", interval: "1s", provider: { builtin: {} }, judge }] },
});

const strategy = (template: string) => ({
  canary: { steps: [{ setWeight: 50 }, { analysis: { templates: [{ templateName: template }] } }] },
});

/** The judge's status of the rollout's newest analysis run. */
async function judgeOf(c: ControllerProcess) {
  const runs = await c.api.get<AnalysisRun[]>("/analysisruns");
  const run = runs.at(-1);
  return run?.status?.metricResults[0]?.judge;
}

async function deploy(
  c: ControllerProcess,
  template: Record<string, unknown>,
  stableEnv: Record<string, string>,
  steps?: unknown[],
) {
  const name = (template.metadata as { name: string }).name;
  const chosen = steps ? { canary: { steps } } : strategy(name);
  await c.api.post("/apply", { resources: [template, demoRollout("web", stableEnv, chosen)] });
  await waitForRollout(c.api, "web", isHealthy);
}

describe("the judge on the local platform", () => {
  it("rolls back a canary with 15% errors (stable 0%) as soon as the evidence is in", async () => {
    const c = await controller();
    // Two judged analysis steps share the rollout's α: each run judges at 0.005, not 0.01.
    const judged = { analysis: { templates: [{ templateName: "judge-bad" }] } };
    const steps = [{ setWeight: 50 }, judged, { setWeight: 60 }, judged];
    await deploy(c, judgeTemplate("judge-bad", { errorRate: {}, maxDuration: "60s" }), { VERSION: "1.0" }, steps);
    load(c.routerUrl, 100);
    await c.api.post("/rollouts/web/set", { env: { VERSION: "2.0", ERROR_RATE: "0.15" } });
    const degraded = await waitForRollout(c.api, "web", (r) => r.status?.phase === "Degraded", { timeoutMs: 60_000 });
    expect(degraded.status?.message).toMatch(/metric "errors"/);
    expect(degraded.status?.revisions.find((r) => r.role === "stable")?.weight).toBe(100);
    const judge = await judgeOf(c);
    expect(judge?.outcome).toBe("Failed");
    // Decided by evidence, not by the bound on waiting.
    expect(judge?.explanation).not.toMatch(/insufficient evidence/);
    expect(judge?.explanation).toMatch(/1\/α = 200: Failed/);
    expect((await c.api.get<AnalysisRun[]>("/analysisruns")).at(-1)?.spec.alpha).toBe(0.005);
    const canaryRequests = judge?.looks.at(-1)?.canary.requests ?? 0;
    expect(canaryRequests).toBeGreaterThan(0);
    console.log(`judge: bad canary rolled back after ${canaryRequests} canary requests: ${judge?.explanation}`);
  });

  it("rolls back a canary whose p95 latency is far above stable's through the latency judge", async () => {
    const c = await controller();
    const template = judgeTemplate("judge-slow", {
      latency: { quantile: 0.95, maxRelativeIncrease: 0.2 },
      minRequests: 50,
      maxDuration: "60s",
    });
    await deploy(c, template, { VERSION: "1.0" });
    load(c.routerUrl, 100);
    await c.api.post("/rollouts/web/set", { env: { VERSION: "2.0", LATENCY_MS: "300" } });
    const degraded = await waitForRollout(c.api, "web", (r) => r.status?.phase === "Degraded", { timeoutMs: 60_000 });
    expect(degraded.status?.revisions.find((r) => r.role === "stable")?.weight).toBe(100);
    const judge = await judgeOf(c);
    expect(judge?.outcome).toBe("Failed");
    expect(judge?.explanation).not.toMatch(/insufficient evidence/);
    console.log(
      `judge: slow canary rolled back after ${judge?.looks.at(-1)?.canary.requests} canary requests: ${judge?.explanation}`,
    );
  });

  it("promotes a canary identical to stable", async () => {
    const c = await controller();
    await deploy(c, judgeTemplate("judge-same", { errorRate: { maxAbsoluteIncrease: 0.02 }, maxDuration: "90s" }), {
      VERSION: "1.0",
    });
    load(c.routerUrl, 200);
    await c.api.post("/rollouts/web/set", { env: { VERSION: "2.0" } });
    const done = await waitForRollout(c.api, "web", (r) => isHealthy(r) || r.status?.phase === "Degraded", {
      timeoutMs: 100_000,
    });
    const judge = await judgeOf(c);
    expect(done.status?.phase, judge?.explanation).toBe("Healthy");
    expect(judge?.outcome).toBe("Successful");
    const canaryRequests = judge?.looks.at(-1)?.canary.requests ?? 0;
    expect(canaryRequests).toBeGreaterThanOrEqual(100); // minRequests
    console.log(`judge: identical canary promoted after ${canaryRequests} canary requests: ${judge?.explanation}`);
  });

  it("pauses for a person when too little traffic leaves it undecided at maxDuration, and status exits 4", async () => {
    const c = await controller();
    const template = judgeTemplate("judge-thin", { errorRate: {}, maxDuration: "6s", onInsufficientEvidence: "pause" });
    await deploy(c, template, { VERSION: "1.0" });
    load(c.routerUrl, 2);
    await c.api.post("/rollouts/web/set", { env: { VERSION: "2.0", ERROR_RATE: "0.04" } });
    // While it runs, the status says when the bound ends it.
    const running = await waitForRollout(c.api, "web", (r) => /it will pause/.test(r.status?.message ?? ""), {
      timeoutMs: 20_000,
    });
    expect(running.status?.message).toMatch(/undecided at \d{4}-\d\d-\d\dT/);
    expect(running.status?.message).toMatch(/(about|at least) \d+ more canary requests/);
    const paused = await waitForRollout(c.api, "web", (r) => r.status?.phase === "Paused", { timeoutMs: 30_000 });
    expect(paused.status?.message).toMatch(/insufficient evidence: maxDuration 6s reached/);
    expect(paused.status?.stableRevision).not.toBe(paused.status?.currentRevision);
    const status = await runSluice(["status", "web"], { env: { SLUICE_STATE_DIR: c.stateDir } });
    expect(status.code, status.stdout + status.stderr).toBe(4);
    // It stays paused at canary weight: never promoted on thin evidence.
    const after = await c.api.get<Rollout>("/rollouts/web");
    expect(after.status?.stableRevision).toBe(paused.status?.stableRevision);
  });
});
