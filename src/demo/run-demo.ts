import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ApiClient } from "../api/client.js";
import { type LocalRuntime, startLocalRuntime } from "../controller/local-runtime.js";
import type { AnalysisRun, Rollout } from "../model/index.js";
import type { ChangeNotice, RecordedEntry } from "../ports/control-plane.js";
import { formatEntry, type JourneyRow, journeyRows, journeyTable } from "./journey.js";
import { judgeDecisionLines, judgeDecisions } from "./judge-summary.js";
import { LoadGenerator, type PhaseTraffic } from "./load.js";
import {
  type DemoTiming,
  demoAnalysisTemplate,
  demoPipeline,
  demoWatchTemplate,
  environmentRollouts,
  FAST,
  integrationTemplate,
  NORMAL,
  PIPELINE,
  ROLLOUT,
  releaseBody,
  STAGES,
  V2_0,
  V2_1,
} from "./manifests.js";
import { productionVerdict, type StepResult, trafficLines } from "./verdict.js";
import { DemoWaitError, sleep, until } from "./wait.js";

export interface DemoOptions {
  fast?: boolean;
  /** Wait for a person to run `sluice approve` instead of approving with the demo's approver token. */
  interactive?: boolean;
  log: (line: string) => void;
  /** Requests per second sent to production (default 100). */
  rate?: number;
  signal?: AbortSignal;
}

/** What the demo showed: each step, the record's story per stage and release, and what production users saw. */
export interface DemoResult {
  steps: StepResult[];
  rows: JourneyRow[];
  /** Production traffic until v2-1 was created, then while it was in canary. */
  production: { before: PhaseTraffic; during: PhaseTraffic };
  /** The canary environment's traffic while v2-1 ran there. */
  canaryDuringBad: PhaseTraffic;
  ok: boolean;
}

const APPROVER = "demo-approver";
/** The canary environment's load: 10 req/s reach a 5% canary, enough for its analysis to have evidence within a second or two. */
const CANARY_RATE = 200;
const CI = "demo-ci";

/**
 * `sluice demo`: a controller in a temporary state directory and three environments of the demo
 * app (canary, staging, production) at v1.0, production under steady load. Release v2-0 travels
 * through the pipeline — canary analysis, an integration test and a soak before staging, a person's
 * approval before production's blue-green switch — then v2-1 is rolled back in canary and
 * rejected. Ends with the record's story, one row per stage per release, and production's figures.
 */
export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const timing = opts.fast ? FAST : NORMAL;
  const rate = opts.rate ?? 100;
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "sluice-demo-"));
  const t0 = Date.now();
  const stamp = () => `[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s]`;
  const log = (line: string) => opts.log(`${stamp()} ${line}`);
  const loads: LoadGenerator[] = [];
  let runtime: LocalRuntime | undefined;
  let unsubscribe = () => {};
  try {
    runtime = await startLocalRuntime({ stateDir, listen: "127.0.0.1:0", version: "demo" });
    const rt = runtime;
    const admin = new ApiClient(rt.apiUrl, rt.token);
    log(`controller up; router ${rt.routerUrl}; API ${rt.apiUrl}`);
    // Runs are kept as they change: a finished rollout's runs may be gone by the summary.
    const runs = new Map<string, AnalysisRun>();
    unsubscribe = rt.controller.subscribe((change) => {
      narrate(change, log);
      if (change.type === "status" && change.kind === "AnalysisRun") {
        const run = rt.controller.get("AnalysisRun", change.name) as AnalysisRun | undefined;
        if (run) runs.set(run.metadata.name, run);
      }
    });

    await rt.controller.apply(
      [demoAnalysisTemplate(), demoWatchTemplate(), integrationTemplate(), ...environmentRollouts(timing)],
      { source: "demo" },
    );
    await until(() => (STAGES.every((s) => settled(rt, s.rollout)) ? true : undefined), {
      timeoutMs: 120_000,
      what: "canary, staging and production Healthy at v1.0",
      signal: opts.signal,
    });
    await rt.controller.apply([demoPipeline(timing, rt.routerUrl)], { source: "demo" });
    const ci = await tokenClient(admin, rt.apiUrl, CI, "operator");
    const approver = await tokenClient(admin, rt.apiUrl, APPROVER, "approver");
    introduce(opts.log, rt.routerUrl, stateDir, log);

    const production = new LoadGenerator({
      url: rt.routerUrl,
      host: ROLLOUT.production,
      ratePerSecond: rate,
      countVersions: true,
    });
    const canaryEnv = new LoadGenerator({ url: rt.routerUrl, host: ROLLOUT.canary, ratePerSecond: CANARY_RATE });
    loads.push(production, canaryEnv);
    production.start();
    canaryEnv.start();
    log(`${rate} req/s to production and ${CANARY_RATE} req/s to canary, from now to the end`);

    const record = () => rt.controller.pipelineRecord(PIPELINE) as RecordedEntry[];
    const steps: StepResult[] = [];
    const scale = opts.fast ? 1 : 2;
    const step = async (name: string, intended: string, run: () => Promise<string>) => {
      if (steps.some((s) => !s.ok)) {
        steps.push({ name, intended, outcome: "skipped: an earlier step failed", ok: false });
        return;
      }
      opts.log("");
      log(`── ${name}`);
      const result = await run().then(
        (outcome) => ({ name, intended, outcome, ok: true }),
        (err: Error) => ({ name, intended, outcome: err.message, ok: false }),
      );
      log(`${result.ok ? "✓" : "✗"} ${name}: ${result.outcome}`);
      steps.push(result);
    };
    const passed = (stage: string, release: string, timeoutMs: number) =>
      until(() => entryOrThrow(record(), stage, release) ?? stuck(rt, ROLLOUT[stage as keyof typeof ROLLOUT]), {
        timeoutMs: timeoutMs * scale,
        what: `${release} Healthy in ${stage}`,
        signal: opts.signal,
      });

    await step("1) v2-0 is released and goes through canary", "Healthy in canary", async () => {
      await ci.client.post("/releases", releaseBody(V2_0));
      log(`${CI} created release ${V2_0} (POST /api/v1/releases)`);
      await passed("canary", V2_0, 120_000);
      return `${V2_0} passed canary's analysis and is Healthy there`;
    });

    await step("2) v2-0 enters staging after the integration test and the soak", "Healthy in staging", async () => {
      const e = await passed("staging", V2_0, 120_000);
      const gates = record().filter((x) => x.stage === "staging" && x.release === V2_0 && x.type === "GatePassed");
      const missing = ["checks", "soak"].filter((g) => !gates.some((x) => x.gate === g));
      if (missing.length > 0) throw new Error(`${V2_0} entered staging without passing ${missing.join(", ")}`);
      return `${e.reason}, after checks and a ${timing.soakSeconds}s soak`;
    });

    await step("3) v2-0 waits for approval, then production switches blue-green", "Healthy in production", async () => {
      await until(() => find(record(), "production", V2_0, "ApprovalRequested"), {
        timeoutMs: 60_000 * scale,
        what: `an approval request for ${V2_0} in production`,
        signal: opts.signal,
      });
      await approve(opts, approver, timing, stateDir, record, log);
      const smoke = smokePreview(rt, opts.signal, log);
      await passed("production", V2_0, 120_000);
      await until(() => (settled(rt, ROLLOUT.production) ? true : undefined), {
        timeoutMs: 60_000 * scale,
        what: "production settled on v2-0",
        signal: opts.signal,
      });
      await smoke;
      const approval = find(record(), "production", V2_0, "Approved");
      return `approved by ${approval?.actor ?? "?"}; production runs ${V2_0}`;
    });

    const before = production.nextPhase();
    canaryEnv.nextPhase();
    await step("4) v2-1 (15% errors, 2.4 s latency) is rolled back in canary and rejected", "Rejected", async () => {
      await ci.client.post("/releases", releaseBody(V2_1));
      log(`${CI} created release ${V2_1}`);
      await until(() => find(record(), undefined, V2_1, "Rejected"), {
        timeoutMs: 120_000 * scale,
        what: `${V2_1} rejected`,
        signal: opts.signal,
      });
      await until(() => (backOnStable(rt, ROLLOUT.canary) ? true : undefined), {
        timeoutMs: 60_000 * scale,
        what: "canary back on its stable revision",
        signal: opts.signal,
      });
      return `${V2_1} rejected: ${find(record(), "canary", V2_1, "Failed")?.reason ?? "failed in canary"}`;
    });
    // Requests already sent come back before the books close; production stays under load meanwhile.
    await sleep(3_000, opts.signal);
    const during = production.nextPhase();
    const canaryDuringBad = canaryEnv.nextPhase();

    const stages = STAGES.map((s) => s.stage);
    const rows = journeyRows(record(), [V2_0, V2_1], stages);
    // What production served while v2-1 was in canary means something only if v2-1 got there.
    const badRan = steps.every((s) => s.ok);
    const verdict = productionVerdict(rows, { before, during }, V2_1);
    steps.push(...(badRan ? verdict : verdict.slice(0, 1)));
    unsubscribe();
    opts.log("");
    opts.log(journeyTable(rows, t0));
    opts.log("");
    for (const line of trafficLines({ before, during }, badRan ? canaryDuringBad : undefined, rate, V2_1))
      opts.log(line);
    const decisions = judgeDecisionLines(judgeDecisions([...runs.values()]));
    if (decisions.length > 0) opts.log("");
    for (const line of decisions) opts.log(line);
    for (const s of steps.filter((x) => !x.ok)) opts.log(`✗ ${s.name}: ${s.outcome}`);
    return { steps, rows, production: { before, during }, canaryDuringBad, ok: steps.every((s) => s.ok) };
  } finally {
    unsubscribe();
    await Promise.allSettled(loads.map((l) => l.stop()));
    await runtime?.stop({ stopDataPlane: true }).catch(() => {});
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Prints what happens as it happens: every record entry, and what the rollouts warn about. */
function narrate(change: ChangeNotice, log: (line: string) => void): void {
  if (change.type === "record") log(`◆ ${formatEntry(change.entry)}`);
  if (change.type !== "event") return;
  const e = change.event;
  // A pipeline's events repeat its record entries, printed above; only its own warnings are news.
  if (e.kind === "Pipeline" && e.reason !== "PromotionFailed" && e.reason !== "PipelineWarning") return;
  if (e.kind !== "Rollout" && e.kind !== "Pipeline") return;
  log(`${e.type === "Warning" ? "!" : " "} ${e.name}: ${e.reason}: ${e.message}`);
}

function introduce(print: (line: string) => void, routerUrl: string, stateDir: string, log: (line: string) => void) {
  const { port } = new URL(routerUrl);
  log("three environments at v1.0, each its own rollout behind the router, picked by the Host header:");
  for (const s of STAGES)
    print(
      `           ${s.stage.padEnd(10)} curl -H 'Host: ${s.rollout}' ${routerUrl}/version   (or http://${s.rollout}.localhost:${port}/)`,
    );
  print("         follow along in another terminal:");
  print(`           export SLUICE_STATE_DIR=${stateDir}`);
  print(`           npx sluice get pipeline ${PIPELINE} --watch`);
  print(`           npx sluice pipeline history ${PIPELINE}`);
}

/** Approves production as the demo approver after a few seconds, or waits for a person to. */
async function approve(
  opts: DemoOptions,
  approver: { client: ApiClient; token: string },
  timing: DemoTiming,
  stateDir: string,
  record: () => RecordedEntry[],
  log: (line: string) => void,
): Promise<void> {
  const reason = "staging is green";
  log(`production waits for a person with the approver role. To approve ${V2_0}:`);
  opts.log(
    `           SLUICE_TOKEN=${approver.token} SLUICE_STATE_DIR=${stateDir} \\\n` +
      `             npx sluice approve ${PIPELINE} production --release ${V2_0} --reason "${reason}"`,
  );
  if (opts.interactive) {
    log("waiting for your approval (Ctrl-C ends the demo)");
    await until(() => find(record(), "production", V2_0, "Approved"), {
      timeoutMs: 15 * 60_000,
      what: `an approval of ${V2_0} for production`,
      signal: opts.signal,
    });
    return;
  }
  log(`${APPROVER} approves in ${timing.approveAfterSeconds} s (run with --interactive to do it yourself)`);
  await sleep(timing.approveAfterSeconds * 1000, opts.signal);
  if (opts.signal?.aborted) throw new DemoWaitError("interrupted before the approval");
  // Someone following along may have approved already; one approval is all production needs.
  if (find(record(), "production", V2_0, "Approved")) return;
  await approver.client.post(`/pipelines/${PIPELINE}/approve`, { stage: "production", release: V2_0, reason });
}

/** Sends smoke traffic to production's preview listener while v2-0 is previewed there, as a team would before the switch. */
async function smokePreview(rt: LocalRuntime, signal: AbortSignal | undefined, log: (line: string) => void) {
  const url = await until(() => previewOn(rt, ROLLOUT.production), {
    timeoutMs: 60_000,
    what: "production's preview",
    signal,
  }).catch(() => undefined);
  if (!url) return;
  log(`production preview of ${V2_0} at ${url}; smoke traffic until the switch`);
  const smoke = new LoadGenerator({ url, ratePerSecond: 20, countVersions: true });
  smoke.start();
  await until(() => (switched(rt, ROLLOUT.production) ? true : undefined), {
    timeoutMs: 120_000,
    what: "the switch",
    signal,
  }).catch(() => undefined);
  const seen = await smoke.stop();
  log(`preview smoke: ${seen.requests} requests, ${seen.errors} failed, versions ${JSON.stringify(seen.byVersion)}`);
}

async function tokenClient(admin: ApiClient, apiUrl: string, name: string, role: string) {
  const { token } = await admin.post<{ token: string }>("/tokens", { name, role });
  return { client: new ApiClient(apiUrl, token), token };
}

function find(record: RecordedEntry[], stage: string | undefined, release: string, type: RecordedEntry["type"]) {
  return record.findLast((e) => e.release === release && e.type === type && (stage === undefined || e.stage === stage));
}

/** The Healthy entry of `release` in `stage`; throws at once if the release was rejected instead. */
function entryOrThrow(record: RecordedEntry[], stage: string, release: string): RecordedEntry | undefined {
  const healthy = find(record, stage, release, "Healthy");
  if (healthy) return healthy;
  const rejected = find(record, undefined, release, "Rejected");
  if (rejected) throw new DemoWaitError(`${release} was rejected: ${rejected.reason}`);
  return undefined;
}

/**
 * Throws when the rollout waits for a person because an analysis was Inconclusive (too little
 * traffic reached the canary, as on a very busy machine): the demo says so at once instead of
 * waiting out its deadline.
 */
function stuck(rt: LocalRuntime, name: string): undefined {
  const s = rollout(rt, name)?.status;
  if (s?.pauseConditions.some((p) => p.reason === "InconclusiveAnalysis"))
    throw new DemoWaitError(`${name} paused for a person: ${s.message}`);
  return undefined;
}

function rollout(rt: LocalRuntime, name: string): Rollout | undefined {
  const r = rt.controller.get("Rollout", name) as Rollout | undefined;
  const s = r?.status;
  return r && s && s.observedGeneration >= (r.metadata.generation ?? 0) ? r : undefined;
}

/** Healthy on its current template, with every revision but the stable one gone. */
function settled(rt: LocalRuntime, name: string): boolean {
  const s = rollout(rt, name)?.status;
  return s?.phase === "Healthy" && s.stableRevision === s.currentRevision && s.revisions.length === 1;
}

/** Healthy on its current template: a blue-green rollout has switched (the old revision may still be scaling down). */
function switched(rt: LocalRuntime, name: string): boolean {
  const s = rollout(rt, name)?.status;
  return s?.phase === "Healthy" && s.stableRevision === s.currentRevision;
}

/** Aborted, and all traffic on the stable revision again. */
function backOnStable(rt: LocalRuntime, name: string): boolean {
  const s = rollout(rt, name)?.status;
  if (!s?.abort) return false;
  return s.revisions.every((r) => r.hash === s.stableRevision || r.weight === 0);
}

/** The preview listener once every preview replica is ready. */
function previewOn(rt: LocalRuntime, name: string): string | undefined {
  const url = rt.previewUrl(name);
  const preview = rollout(rt, name)?.status?.revisions.find((x) => x.role === "preview");
  return url && preview && preview.replicas > 0 && preview.readyReplicas === preview.replicas ? url : undefined;
}
