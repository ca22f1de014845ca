import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { renderTable } from "../cli/format/table.js";
import type { ChangeNotice } from "../controller/control-plane.js";
import { type LocalRuntime, startLocalRuntime } from "../controller/local-runtime.js";
import type { Rollout } from "../model/index.js";
import { LoadGenerator, type PhaseTraffic } from "./load.js";
import { blueGreenRollout, canaryRollout, demoAnalysisTemplate, demoWatchTemplate, FAST, NORMAL } from "./manifests.js";

export interface DemoOptions {
  fast?: boolean;
  log: (line: string) => void;
  /** Requests per second the load generator sends. */
  rate?: number;
  signal?: AbortSignal;
}

export interface PhaseResult {
  name: string;
  intended: string;
  outcome: string;
  ok: boolean;
  traffic: PhaseTraffic;
  maxCanaryWeight: number;
  /** Milliseconds from the first bad response to the last request the bad revision answered. */
  recoveryMs?: number;
}

type Wanted = "Healthy" | "Degraded";

/**
 * `sluice demo`: a controller in a temporary state directory, the demo app at v1.0 under steady
 * load, then three releases — a good canary that is promoted, a bad one rolled back by analysis,
 * and a blue-green switch — and a table of what users saw in each.
 */
export async function runDemo(opts: DemoOptions): Promise<PhaseResult[]> {
  const timing = opts.fast ? FAST : NORMAL;
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "sluice-demo-"));
  const t0 = Date.now();
  const stamp = () => `[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s]`;
  let runtime: LocalRuntime | undefined;
  let load: LoadGenerator | undefined;
  let preview: LoadGenerator | undefined;
  try {
    runtime = await startLocalRuntime({ stateDir, listen: "127.0.0.1:0", version: "demo" });
    const rt = runtime;
    opts.log(`${stamp()} controller up; router ${rt.routerUrl}; API ${rt.apiUrl}`);
    opts.log(`         watch it live: npx sluice get rollout demo --watch --state-dir ${stateDir}`);
    let maxCanaryWeight = 0;
    const unsubscribe = rt.controller.subscribe((change: ChangeNotice) => {
      if (change.type === "event") {
        const e = change.event;
        if (e.kind === "Rollout") opts.log(`${stamp()} ${e.type === "Warning" ? "!" : " "} ${e.reason}: ${e.message}`);
      } else if (change.type === "status" && change.kind === "Rollout") {
        for (const r of (change.resource as Rollout).status?.revisions ?? [])
          if (r.role === "canary" || r.role === "preview") maxCanaryWeight = Math.max(maxCanaryWeight, r.weight);
      }
    });

    await rt.controller.apply([demoAnalysisTemplate(), demoWatchTemplate(), canaryRollout("1.0", timing)], {
      source: "demo",
    });
    await waitFor(rt, "Healthy", 60_000, opts.signal);
    opts.log(`${stamp()} v1.0 is Healthy with 3 replicas; starting ${opts.rate ?? 200} req/s of load`);
    load = new LoadGenerator({ url: rt.routerUrl, host: "demo", ratePerSecond: opts.rate ?? 200 });
    load.start();

    const results: PhaseResult[] = [];
    const phase = async (
      name: string,
      intended: Wanted,
      manifest: unknown,
      during?: () => Promise<void>,
    ): Promise<PhaseResult> => {
      opts.log(`${stamp()} ── ${name}`);
      load!.nextPhase();
      maxCanaryWeight = 0;
      await rt.controller.apply([manifest], { source: "demo" });
      const duringDone = during?.();
      const rollout = await waitFor(rt, intended, timing === FAST ? 120_000 : 300_000, opts.signal).catch(
        (err: Error) => {
          opts.log(`${stamp()} ! ${err.message}`);
          return undefined;
        },
      );
      await duringDone;
      // Let requests already sent to the old revision come back before closing the books.
      await new Promise((r) => setTimeout(r, 3_000));
      const traffic = load!.nextPhase();
      const outcome = rollout?.status?.phase ?? "timed out";
      const userErrorsOk = intended === "Degraded" || traffic.errors === 0;
      const result: PhaseResult = {
        name,
        intended,
        outcome,
        ok: outcome === intended && userErrorsOk,
        traffic,
        maxCanaryWeight,
        ...(traffic.firstBadAt !== undefined && traffic.lastBadRevisionAt !== undefined
          ? { recoveryMs: traffic.lastBadRevisionAt - traffic.firstBadAt }
          : {}),
      };
      opts.log(
        `${stamp()} ${result.ok ? "✓" : "✗"} ${name}: ${outcome} (wanted ${intended}), ${traffic.errors} failed of ${traffic.requests} requests`,
      );
      return result;
    };

    results.push(await phase("a) canary v2.0", "Healthy", canaryRollout("2.0", timing)));
    results.push(
      await phase(
        "b) canary v2.1 (15% errors, 2.4 s latency)",
        "Degraded",
        canaryRollout("2.1", timing, { ERROR_RATE: "0.15", LATENCY_MS: "2400" }),
      ),
    );
    results.push(
      await phase("c) blue-green v3.0", "Healthy", blueGreenRollout("3.0", timing), async () => {
        // Smoke traffic on the preview listener, as a team would send before switching.
        const url = await waitForPreview(rt, "3.0", 60_000);
        if (!url) return;
        opts.log(`${stamp()}   preview reachable at ${url}`);
        preview = new LoadGenerator({ url, ratePerSecond: 30 });
        preview.start();
        await waitFor(rt, "Healthy", 120_000, opts.signal).catch(() => undefined);
        const smoke = await preview.stop();
        preview = undefined;
        opts.log(
          `${stamp()}   preview smoke traffic: ${smoke.requests} requests, ${smoke.errors} failed ${JSON.stringify(smoke.byRevision)}`,
        );
      }),
    );
    unsubscribe();
    opts.log("");
    opts.log(summaryTable(results));
    return results;
  } finally {
    await preview?.stop().catch(() => {});
    await load?.stop().catch(() => {});
    await runtime?.stop({ stopDataPlane: true }).catch(() => {});
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** The closing table: one row per phase. */
export function summaryTable(results: PhaseResult[]): string {
  return renderTable(
    ["PHASE", "RESULT", "REQUESTS", "USER ERRORS", "MAX CANARY WEIGHT", "FIRST BAD → ALL ON STABLE"],
    results.map((r) => [
      r.name,
      `${r.ok ? "✓" : "✗"} ${r.outcome}`,
      String(r.traffic.requests),
      String(r.traffic.errors),
      `${Math.round(r.maxCanaryWeight)}%`,
      r.recoveryMs === undefined ? "-" : `${(r.recoveryMs / 1000).toFixed(2)} s`,
    ]),
  );
}

async function waitFor(rt: LocalRuntime, wanted: Wanted, timeoutMs: number, signal?: AbortSignal): Promise<Rollout> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) throw new Error("interrupted");
    const r = rt.controller.get("Rollout", "demo") as Rollout | undefined;
    const s = r?.status;
    const current = s && r && s.observedGeneration >= (r.metadata.generation ?? 0);
    if (current && s.phase === wanted && (wanted === "Degraded" || s.stableRevision === s.currentRevision)) return r;
    if (current && s.phase === "Degraded" && wanted === "Healthy") throw new Error(`rollout Degraded: ${s.message}`);
    if (Date.now() > deadline)
      throw new Error(`rollout did not become ${wanted} within ${timeoutMs / 1000} s (${s?.phase}: ${s?.message})`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** The preview listener's URL once every preview replica is ready and answers as `version`. */
async function waitForPreview(rt: LocalRuntime, version: string, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const url = rt.previewUrl("demo");
    const r = rt.controller.get("Rollout", "demo") as Rollout | undefined;
    const preview = r?.status?.revisions.find((x) => x.role === "preview");
    if (url && preview && preview.readyReplicas === preview.replicas) {
      const answer = await fetch(`${url}/version`)
        .then((res) => res.json() as Promise<{ version?: string }>)
        .catch(() => undefined);
      if (answer?.version === version) return url;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  return undefined;
}
