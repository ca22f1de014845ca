import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { requestsSinceReset } from "../../src/analysis/judged.js";
import { LoadGenerator } from "../../src/demo/load.js";
import type { AnalysisRun, Rollout } from "../../src/model/index.js";
import { ControllerProcess } from "../helpers/controller.js";
import { demoRollout, isHealthy, waitForRollout } from "../helpers/rollouts.js";
import { waitFor } from "../helpers/wait.js";

// A router restart in the middle of a judged analysis sets its counters back to zero. The judge
// must read that as a reset, not as negative traffic: keep the evidence so far, count on from it,
// and promote only after minRequests canary requests since the reset.
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => {});
});

async function judgeResult(c: ControllerProcess) {
  const runs = await c.api.get<AnalysisRun[]>("/analysisruns");
  return runs.at(-1)?.status?.metricResults[0];
}

describe("the judge across a router restart", () => {
  it("keeps the evidence when the router's counters reset, never fails on it, and promotes an identical canary after minRequests more", async () => {
    const c = await new ControllerProcess().start();
    cleanups.push(() => c.destroy());
    const template = {
      apiVersion: "sluice.dev/v1alpha1",
      kind: "AnalysisTemplate",
      metadata: { name: "judge-reset" },
      spec: {
        metrics: [
          {
            name: "errors",
            interval: "1s",
            provider: { builtin: {} },
            judge: { errorRate: { maxAbsoluteIncrease: 0.02 }, minRequests: 300, maxDuration: "90s" },
          },
        ],
      },
    };
    const strategy = {
      canary: { steps: [{ setWeight: 50 }, { analysis: { templates: [{ templateName: "judge-reset" }] } }] },
    };
    await c.api.post("/apply", { resources: [template, demoRollout("web", { VERSION: "1.0" }, strategy)] });
    await waitForRollout(c.api, "web", isHealthy);
    const load = new LoadGenerator({ url: c.routerUrl, ratePerSecond: 100 });
    load.start();
    cleanups.push(async () => {
      await load.stop();
    });
    await c.api.post("/rollouts/web/set", { env: { VERSION: "2.0" } });
    await waitFor(async () => ((await judgeResult(c))?.judge?.looks.at(-1)?.canary.requests ?? 0) >= 50, {
      timeoutMs: 30_000,
      message: "50 canary requests of evidence",
    });

    // kill -9 the router's worker: its primary starts a new one at once, with counters at zero.
    const { workerPid } = JSON.parse(readFileSync(`${c.stateDir}/router.json`, "utf8")) as { workerPid: number };
    process.kill(workerPid, "SIGKILL");
    const reset = await waitFor(
      async () => {
        const r = await judgeResult(c);
        return (r?.judge?.resets ?? 0) >= 1 ? r : undefined;
      },
      { timeoutMs: 30_000, message: "the judge to see the reset" },
    );
    expect(reset.judge?.outcome).not.toBe("Failed");
    expect((await c.api.get<Rollout>("/rollouts/web")).status?.phase).not.toBe("Degraded");

    const done = await waitForRollout(c.api, "web", (r) => isHealthy(r) || r.status?.phase === "Degraded", {
      timeoutMs: 90_000,
    });
    const final = await judgeResult(c);
    expect(done.status?.phase, final?.judge?.explanation).toBe("Healthy");
    expect(final?.judge?.outcome).toBe("Successful");
    expect(final?.judge?.resets).toBeGreaterThanOrEqual(1);
    // Promoted on at least minRequests canary requests after the reset, not on the window right after it.
    expect(final?.judge ? requestsSinceReset(final.judge) : 0).toBeGreaterThanOrEqual(300);
  });
});
