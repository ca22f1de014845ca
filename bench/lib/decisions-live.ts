import { LoadGenerator } from "../../src/demo/load.js";
import type { AnalysisRun, Rollout } from "../../src/model/index.js";
import { ControllerProcess } from "../../test/helpers/controller.js";
import { demoRollout, isHealthy, waitForRollout } from "../../test/helpers/rollouts.js";

/*
 * bench/decisions.ts --live: scenarios through a real `sluice up` (child process), the real router
 * carrying real HTTP to demo-app replicas whose ERROR_RATE sets each revision's errors, and the
 * judge on the builtin provider looking every second. The demo app fails exactly round(rate × N) of
 * its first N requests (evenly spread, not at random), so live counts are less noisy than the
 * simulation's binomial ones: expect the live judge to decide a little sooner, never differently.
 */

export interface LiveScenario {
  name: string;
  stableErrorRate: number;
  canaryErrorRate: number;
}

export interface LiveResult {
  outcome: "promote" | "rollback" | "undecided";
  canaryRequests: number;
  seconds: number;
  explanation: string;
}

/** One canary at 50 % weight with `ratePerSecond` requests in all, judged until it decides or `maxSeconds`. */
export async function liveRound(
  s: LiveScenario,
  tolerance: { maxRelativeIncrease: number; maxAbsoluteIncrease: number },
  ratePerSecond: number,
  maxSeconds: number,
): Promise<LiveResult> {
  const c = await new ControllerProcess().start();
  const load = new LoadGenerator({ url: c.routerUrl, ratePerSecond });
  try {
    const template = {
      apiVersion: "sluice.dev/v1alpha1",
      kind: "AnalysisTemplate",
      metadata: { name: "judge" },
      spec: {
        metrics: [
          {
            name: "errors",
            interval: "1s",
            provider: { builtin: {} },
            judge: {
              errorRate: tolerance,
              minRequests: 100,
              maxDuration: `${maxSeconds}s`,
              onInsufficientEvidence: "pause",
            },
          },
        ],
      },
    };
    const strategy = {
      canary: { steps: [{ setWeight: 50 }, { analysis: { templates: [{ templateName: "judge" }] } }] },
    };
    const env = (rate: number, version: string) => ({ VERSION: version, ERROR_RATE: String(rate) });
    await c.api.post("/apply", { resources: [template, demoRollout("web", env(s.stableErrorRate, "1.0"), strategy)] });
    await waitForRollout(c.api, "web", isHealthy);
    load.start();
    const started = Date.now();
    await c.api.post("/rollouts/web/set", { env: env(s.canaryErrorRate, "2.0") });
    const done = await waitForRollout(
      c.api,
      "web",
      (r: Rollout) => isHealthy(r) || r.status?.phase === "Degraded" || r.status?.phase === "Paused",
      { timeoutMs: (maxSeconds + 60) * 1000 },
    );
    const seconds = (Date.now() - started) / 1000;
    const runs = await c.api.get<AnalysisRun[]>("/analysisruns");
    const judge = runs.at(-1)?.status?.metricResults[0]?.judge;
    const outcome = isHealthy(done) ? "promote" : done.status?.phase === "Degraded" ? "rollback" : "undecided";
    return {
      outcome,
      canaryRequests: judge?.looks.at(-1)?.canary.requests ?? 0,
      seconds,
      explanation: judge?.explanation ?? done.status?.message ?? "",
    };
  } finally {
    await load.stop();
    await c.destroy();
  }
}
