import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LoadGenerator } from "../../src/demo/load.js";
import type { AnalysisRun, Rollout } from "../../src/model/index.js";
import { RouterClient } from "../../src/platform/local/router/router-client.js";
import { ControllerProcess } from "../helpers/controller.js";
import { demoRollout, isHealthy, waitForRollout } from "../helpers/rollouts.js";
import { sample } from "../helpers/traffic.js";
import { waitFor } from "../helpers/wait.js";

// A baseline revision end to end on the local platform: real `sluice up`, the real router process
// carrying real HTTP, real demo-app replicas for stable, baseline and canary, the builtin provider.
const judgeTemplate = {
  apiVersion: "sluice.dev/v1alpha1",
  kind: "AnalysisTemplate",
  metadata: { name: "judge-errors" },
  spec: {
    metrics: [
      {
        name: "errors",
        interval: "1s",
        provider: { builtin: {} },
        judge: { errorRate: { maxAbsoluteIncrease: 0.02 }, maxDuration: "60s" },
      },
    ],
  },
};

const strategy = {
  canary: {
    baseline: true,
    scaleDownDelaySeconds: 1,
    abortScaleDownDelaySeconds: 1,
    steps: [
      { setWeight: 20 },
      { pause: {} },
      { setWeight: 40 },
      { analysis: { templates: [{ templateName: "judge-errors" }] } },
    ],
  },
};

const role = (r: Rollout, name: string) => r.status?.revisions.find((x) => x.role === name);

/** The replica addresses the router sends a revision's traffic to, from its persisted config. */
function endpointsOf(stateDir: string, revision: string): string[] {
  const config = JSON.parse(readFileSync(path.join(stateDir, "router-config.json"), "utf8")) as {
    rollouts: { rollout: string; backends: { revision: string; endpoints: string[] }[] }[];
  };
  const web = config.rollouts.find((r) => r.rollout === "web");
  return web?.backends.find((b) => b.revision === revision)?.endpoints ?? [];
}

/** The generation of the route table the router serves: every controller send raises it. */
function generationOf(stateDir: string): number {
  return (JSON.parse(readFileSync(path.join(stateDir, "router-config.json"), "utf8")) as { generation: number })
    .generation;
}

/** Whether nothing listens on any of the addresses any more: the replicas' processes are gone. */
async function allGone(endpoints: string[]): Promise<boolean> {
  const answers = await Promise.all(
    endpoints.map((ep) =>
      fetch(`http://${ep}/ready`, { signal: AbortSignal.timeout(1_000) }).then(
        () => true,
        () => false,
      ),
    ),
  );
  return answers.every((up) => !up);
}

describe("baseline revision on the local platform", () => {
  const c = new ControllerProcess();
  let load: LoadGenerator | undefined;
  beforeAll(() => c.start());
  afterAll(async () => {
    await load?.stop();
    await c.destroy();
  });

  it("splits 60/20/20, survives a controller restart, judges the canary against the baseline, and removes the baseline on promote and on abort", async () => {
    await c.api.post("/apply", { resources: [judgeTemplate, demoRollout("web", { VERSION: "1.0" }, strategy)] });
    const v1 = await waitForRollout(c.api, "web", isHealthy, { message: "v1.0 Healthy" });
    const stable1 = v1.status?.stableRevision ?? "?";

    await c.api.post("/rollouts/web/set", { env: { VERSION: "2.0" } });
    const at20 = await waitForRollout(
      c.api,
      "web",
      (r) => r.status?.phase === "Paused" && role(r, "canary")?.weight === 20 && role(r, "baseline")?.weight === 20,
      { message: "paused at 20% with a baseline" },
    );
    const baseline1 = `${stable1}-baseline`;
    expect(role(at20, "baseline")).toMatchObject({ hash: baseline1, number: role(at20, "stable")?.number });
    expect(role(at20, "stable")?.weight).toBe(60);
    const canary2 = role(at20, "canary")?.hash ?? "?";

    // Real requests through the router: the answering revision (its header) and the router's own counters.
    const n = 2_000;
    const { revisions, versions, statuses } = await sample(c.routerUrl, n);
    expect(statuses[200]).toBe(n);
    const share = (k: string) => ((revisions[k] ?? 0) / n) * 100;
    expect(Math.abs(share(stable1) - 60)).toBeLessThanOrEqual(2);
    expect(Math.abs(share(baseline1) - 20)).toBeLessThanOrEqual(2);
    expect(Math.abs(share(canary2) - 20)).toBeLessThanOrEqual(2);
    // The baseline runs the stable revision's template: its answers are version 1.0.
    expect(Math.abs(((versions["1.0"] ?? 0) / n) * 100 - 80)).toBeLessThanOrEqual(2);
    const router = new RouterClient(path.join(c.stateDir, "router.sock"));
    const counted = Object.fromEntries((await router.getTelemetry("web", 600)).map((t) => [t.revision, t.requests]));
    const total = Object.values(counted).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(n);
    for (const [rev, want] of [
      [stable1, 60],
      [baseline1, 20],
      [canary2, 20],
    ] as const)
      expect(Math.abs(((counted[rev] ?? 0) / total) * 100 - want)).toBeLessThanOrEqual(2);
    const baselineReplicas = endpointsOf(c.stateDir, baseline1);
    expect(baselineReplicas.length).toBeGreaterThan(0);

    // A controller crash loses nothing: the restarted one re-adopts the baseline's replicas as they are.
    const before = generationOf(c.stateDir);
    await c.kill9();
    await c.start();
    // The new controller has reconciled and sent the router its own table.
    await waitFor(() => generationOf(c.stateDir) > before, {
      timeoutMs: 30_000,
      message: "a config from the new controller",
    });
    await waitForRollout(c.api, "web", (r) => role(r, "baseline")?.weight === 20 && r.status?.phase === "Paused", {
      message: "baseline still at 20% after a controller restart",
    });
    expect(endpointsOf(c.stateDir, baseline1).sort()).toEqual([...baselineReplicas].sort());
    const afterRestart = await sample(c.routerUrl, 1_000);
    expect(Math.abs(((afterRestart.revisions[baseline1] ?? 0) / 1_000) * 100 - 20)).toBeLessThanOrEqual(3);

    // On to 40 % each and the judged analysis; the canary is as healthy as the baseline.
    load = new LoadGenerator({ url: c.routerUrl, ratePerSecond: 300 });
    load.start();
    const started = Date.now();
    await c.api.post("/rollouts/web/promote", {});
    const done = await waitForRollout(c.api, "web", (r) => isHealthy(r) || r.status?.phase === "Degraded", {
      timeoutMs: 60_000,
      message: "v2.0 judged",
    });
    const runs = await c.api.get<AnalysisRun[]>("/analysisruns");
    const run = runs.find((r) => r.metadata.labels?.["sluice.dev/revision"] === canary2);
    const judge = run?.status?.metricResults[0]?.judge;
    expect(done.status?.phase, judge?.explanation).toBe("Healthy");
    console.log(`baseline: canary judged in ${Date.now() - started} ms: ${judge?.explanation}`);
    expect(run?.metadata.labels?.["sluice.dev/baseline-revision"]).toBe(baseline1);
    expect(judge?.outcome).toBe("Successful");
    expect(judge?.explanation).toMatch(/vs baseline/);
    const queries = run?.status?.metricResults[0]?.measurements.map((m) => m.query ?? "") ?? [];
    expect(queries.at(-1)).toContain(`baseline=${baseline1}`);
    // The baseline took real traffic during the analysis: the judge's looks counted it.
    expect(judge?.looks.at(-1)?.baseline.requests ?? 0).toBeGreaterThan(0);

    // Promotion removed the baseline: gone from status, from the router, and its processes stopped.
    expect(role(done, "baseline")).toBeUndefined();
    await waitFor(() => allGone(baselineReplicas), { timeoutMs: 20_000, message: "baseline replicas stopped" });
    expect(endpointsOf(c.stateDir, baseline1)).toEqual([]);

    // An abort removes the new baseline (a copy of 2.0) too, with all traffic back on stable.
    await c.api.post("/rollouts/web/set", { env: { VERSION: "3.0" } });
    const again = await waitForRollout(
      c.api,
      "web",
      (r) => r.status?.phase === "Paused" && role(r, "baseline")?.weight === 20,
      { message: "v3.0 paused at 20% with a baseline" },
    );
    const baseline2 = `${again.status?.stableRevision}-baseline`;
    expect(role(again, "baseline")?.hash).toBe(baseline2);
    const secondReplicas = await waitFor(() => {
      const eps = endpointsOf(c.stateDir, baseline2);
      return eps.length > 0 ? eps : undefined;
    });
    await c.api.post("/rollouts/web/abort", {});
    const aborted = await waitForRollout(c.api, "web", (r) => r.status?.abort === true && !role(r, "baseline"), {
      message: "aborted without a baseline",
    });
    expect(role(aborted, "stable")?.weight).toBe(100);
    await waitFor(() => allGone(secondReplicas), { timeoutMs: 20_000, message: "aborted baseline replicas stopped" });
    const after = await sample(c.routerUrl, 200);
    expect(after.versions).toEqual({ "2.0": 200 });
  });
});
