/**
 * The dashboard's size and speed: gzipped JavaScript of the bundle against the 150 KB budget, and
 * in Debian's chromium (headless, 1280×800) the time from navigation to the overview's first
 * complete render with N rollouts (first render), then the time until 100 status changes pushed
 * through the watch stream are all on screen (live update). The API serves N rollouts, each with
 * a canary at 20%, from an in-memory control plane; the page reads them over the public HTTP API.
 *
 *   npx tsx bench/dashboard.ts [--rollouts 1000] [--runs 5]
 */
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { createApi } from "../src/api/app.js";
import { serveApi } from "../src/api/serve.js";
import { FakeControlPlane, rolloutManifest } from "../src/api/testing.js";
import { renderTable } from "../src/cli/format/table.js";
import { buildDashboard } from "../src/dashboard/bundle.js";
import type { Rollout } from "../src/model/index.js";
import { describeMachine } from "./lib/machine.js";

// These callbacks run in the page, where the DOM exists; the Node program's types have no DOM.
declare const document: { querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }> };

const { values } = parseArgs({
  options: { rollouts: { type: "string", default: "1000" }, runs: { type: "string", default: "5" } },
});
const N = Number(values.rollouts);
const RUNS = Number(values.runs);
const TOKEN = "b".repeat(64);

const bundle = await buildDashboard();
const control = new FakeControlPlane();
await control.apply(Array.from({ length: N }, (_, i) => rolloutManifest(`svc-${String(i).padStart(4, "0")}`)));
for (const r of (await control.list("Rollout")) as Rollout[]) {
  r.status = {
    phase: "Progressing",
    message: "step 1/2: canary at 20%",
    observedGeneration: 1,
    currentStepIndex: 1,
    revisions: [
      { hash: "aaaaaaaaaa", number: 1, role: "stable", replicas: 2, weight: 80 },
      { hash: "bbbbbbbbbb", number: 2, role: "canary", replicas: 1, weight: 20 },
    ],
    history: [],
    pauseConditions: [],
    abort: false,
    promoteFull: false,
    fastRollback: false,
    analysisRuns: {},
    analysisRunSeq: 0,
    conditions: [],
  } as unknown as Rollout["status"];
}
const served = await serveApi(createApi({ control, token: TOKEN, version: "bench" }));
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox"] });
const firstRender: number[] = [];
const liveUpdate: number[] = [];
try {
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const signIn = await page.request.post(`${served.url}/dashboard/session`, {
      data: { token: TOKEN },
      headers: { "x-sluice-dashboard": "1", origin: served.url },
    });
    if (!signIn.ok()) throw new Error(`sign-in failed: ${signIn.status()}`);
    await page.goto(`${served.url}/dashboard/`);
    await page.waitForFunction((n) => document.querySelectorAll("tbody tr").length === n, N, { polling: "raf" });
    firstRender.push(await page.evaluate(() => performance.now()));
    await page.locator('[data-live="live"]').waitFor();
    // 100 rollouts move to 60% at once, as the controller's notices would say.
    const t0 = await page.evaluate(() => performance.now());
    for (const r of ((await control.list("Rollout")) as Rollout[]).slice(0, 100)) {
      const moved = structuredClone(r);
      if (moved.status)
        moved.status.revisions = moved.status.revisions.map((v) => ({ ...v, weight: v.role === "canary" ? 60 : 40 }));
      control.emit({ type: "status", kind: "Rollout", name: r.metadata.name, resource: moved });
    }
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll("td.weights")).filter((td) => td.textContent === "stable 40 · canary 60")
          .length === 100,
      undefined,
      { polling: "raf" },
    );
    liveUpdate.push((await page.evaluate(() => performance.now())) - t0);
    await context.close();
  }
} finally {
  await browser.close();
  await served.close();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const fmt = (ms: number) => `${Math.round(ms)} ms`;
const m = describeMachine({ chromium: ["/usr/bin/chromium", "--version"] });
console.log(`machine: ${m.nproc} cores, ${m.cpu}, node ${m.node}, ${m.tools.chromium}, load ${m.loadAverage}`);
console.log(
  renderTable(
    ["measure", "median", "worst", "budget"],
    [
      ["JavaScript, gzipped", `${(bundle.jsGzipBytes / 1024).toFixed(1)} KB`, "", "150 KB"],
      [`overview first render, ${N} rollouts`, fmt(median(firstRender)), fmt(Math.max(...firstRender)), "1000 ms"],
      ["100 status changes on screen", fmt(median(liveUpdate)), fmt(Math.max(...liveUpdate)), ""],
    ],
  ),
);
