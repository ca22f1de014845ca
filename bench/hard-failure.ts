/**
 * Hard failure: a canary that answers every request with a 5xx, at 10 canary requests per second
 * (5% of 200 req/s). Measures, per round, the failed user requests and the time from the first
 * bad response to the last request the canary served, against issue 13's targets (at most 3
 * failed requests, all traffic back on stable within 0.5 s).
 *
 *   npx tsx bench/hard-failure.ts [--rounds 3] [--analysis judge|threshold]
 *     judge      the statistical judge in the background, a look every 100 ms (default)
 *     threshold  the earlier background analysis: success rate >= 99 % every 250 ms, 5 requests
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { renderTable } from "../src/cli/format/table.js";
import { startLocalRuntime } from "../src/controller/local-runtime.js";
import { LoadGenerator } from "../src/demo/load.js";
import { canaryRollout, FAST } from "../src/demo/manifests.js";
import type { Rollout } from "../src/model/index.js";
import { describeMachine } from "./lib/machine.js";

const TARGET_FAILED = 3;
const TARGET_SECONDS = 0.5;

/** Background threshold analysis tuned for fast detection: a verdict every 250 ms once 5 canary requests are in. */
const thresholdWatch = {
  apiVersion: "sluice.dev/v1alpha1",
  kind: "AnalysisTemplate",
  metadata: { name: "demo-watch" },
  spec: {
    metrics: [
      {
        name: "success-rate",
        provider: { builtin: { window: "5s", minRequests: 5 } },
        interval: "250ms",
        successCondition: "result.canary.successRate >= 0.99",
        inconclusiveLimit: 100_000,
      },
    ],
  },
};
/**
 * Background judge: the router's counts of canary and stable every 100 ms. It fails as soon as the
 * evidence against "no worse than stable" passes 1/α; a canary failing every request gets there in
 * two or three requests against a clean stable.
 */
const judgeWatch = {
  apiVersion: "sluice.dev/v1alpha1",
  kind: "AnalysisTemplate",
  metadata: { name: "demo-watch" },
  spec: {
    alpha: 0.01,
    metrics: [
      {
        name: "errors",
        provider: { builtin: {} },
        interval: "100ms",
        judge: { errorRate: {}, maxDuration: "10m", onInsufficientEvidence: "pause" },
      },
    ],
  },
};

const { values } = parseArgs({
  options: { rounds: { type: "string", default: "3" }, analysis: { type: "string", default: "judge" } },
});
const watch = values.analysis === "threshold" ? thresholdWatch : judgeWatch;
// The demo's step template, needed by the canary steps; the bench never reaches it.
const steps = { ...thresholdWatch, metadata: { name: "demo-health" } };

async function round(): Promise<{ failed: number; seconds: number; requests: number }> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "sluice-bench-"));
  const runtime = await startLocalRuntime({ stateDir, listen: "127.0.0.1:0" });
  const load = new LoadGenerator({ url: runtime.routerUrl, host: "demo", ratePerSecond: 200 });
  try {
    const timing = { ...FAST, pauseSeconds: 60 };
    await runtime.controller.apply([watch, steps, canaryRollout("1.0", timing)]);
    await until(() => phase(runtime) === "Healthy", 60_000);
    load.start();
    load.nextPhase();
    await runtime.controller.apply([canaryRollout("2.0", timing, { ERROR_RATE: "1" })]);
    await until(() => phase(runtime) === "Degraded", 60_000);
    // Requests already sent to the canary come back within a moment; then the books close.
    await new Promise((r) => setTimeout(r, 2_000));
    const traffic = load.nextPhase();
    const seconds = ((traffic.lastBadRevisionAt ?? 0) - (traffic.firstBadAt ?? 0)) / 1000;
    return { failed: traffic.errors, seconds, requests: traffic.requests };
  } finally {
    await load.stop();
    await runtime.stop({ stopDataPlane: true });
    rmSync(stateDir, { recursive: true, force: true });
  }
}

function phase(runtime: Awaited<ReturnType<typeof startLocalRuntime>>): string | undefined {
  const r = runtime.controller.get("Rollout", "demo") as Rollout | undefined;
  const current = r?.status && r.status.observedGeneration >= (r.metadata.generation ?? 0);
  return current ? r.status?.phase : undefined;
}

async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const rows: string[][] = [];
for (let i = 1; i <= Number(values.rounds); i++) {
  const r = await round();
  rows.push([
    String(i),
    String(r.requests),
    `${r.failed}`,
    `${(r.failed / TARGET_FAILED).toFixed(2)}x`,
    r.seconds.toFixed(2),
    `${(r.seconds / TARGET_SECONDS).toFixed(2)}x`,
  ]);
}
const m = describeMachine();
console.log(`analysis: ${values.analysis}; machine: ${m.nproc} cores, ${m.cpu}, node ${m.node}, load ${m.loadAverage}`);
console.log(
  renderTable(["ROUND", "REQUESTS", "FAILED", "VS 3 TARGET", "FIRST BAD → ALL ON STABLE (s)", "VS 0.5 s TARGET"], rows),
);
