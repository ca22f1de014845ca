import { readFileSync } from "node:fs";
import path from "node:path";
import { ApiClientError } from "../../src/api/client.js";
import { PLURALS } from "../../src/api/kinds.js";
import { analysisChecks } from "../../src/cli/lint.js";
import type { AnalysisRun, Rollout } from "../../src/model/index.js";
import { MAX_ENV } from "../../src/model/limits.js";
import { loadText } from "../../src/model/load.js";
import type { Resource } from "../../src/ports/control-plane.js";
import type { ControllerProcess } from "./controller.js";
import { type HealthzStats, HealthzWatch } from "./healthz-watch.js";
import { type ApplyCase, NAME_TOKEN } from "./manifest-arbitraries.js";
import { demoRollout, isHealthy, waitForRollout } from "./rollouts.js";
import { sample } from "./traffic.js";
import { waitFor } from "./wait.js";

/**
 * Processes one case may start (replicas, surge, canary and preview). Past it the case is counted
 * as skipped, not applied: a few hundred `node` processes would measure this shared machine, not
 * the controller. The local platform's own bound (200 a revision) is tested in test/hostile.
 */
export const MAX_CASE_PROCESSES = 40;

/** A batch during which /healthz was slow or failed: its cases' text, with the names they were applied under. */
export interface StalledBatch {
  firstCase: number;
  texts: string[];
  failures: number;
}

/** What a fuzz run did; every count is of cases except `updated` (second applies, a new revision). */
export interface FuzzApplyCounts {
  cases: number;
  lintRefused: number;
  /** Text that holds no resource and no error (comments only, an empty document). */
  empty: number;
  lintAccepted: number;
  skipped: number;
  applied: number;
  refusedByApply: number;
  updated: number;
  /** Answers of 500 and above, or no answer, from the API: `"<status> <message>: <recipe>"`. */
  serverErrors: string[];
  /** Analysis runs the cases started, and their measurements by phase, as last seen. */
  analysisRuns: number;
  measurements: Record<string, number>;
  sentinelChecks: number;
  sentinelFailures: string[];
  /** Exit codes or signals of the controller process, if it ever exited. */
  controllerExits: string[];
}

const SENTINEL = "sentinel";

function percentOf(v: number | string, of: number): number {
  return typeof v === "number" ? v : Math.ceil((of * Number.parseInt(v, 10)) / 100);
}

/** An upper bound on the processes a rollout can start at once. */
export function processBound(r: Rollout): number {
  const { replicas, strategy } = r.spec;
  const surge = strategy.canary ? percentOf(strategy.canary.maxSurge, replicas) : 0;
  const scales = (strategy.canary?.steps ?? []).map((s) =>
    "setCanaryScale" in s ? (s.setCanaryScale.replicas ?? replicas) : 0,
  );
  return replicas * 2 + surge + Math.max(0, ...scales) + (strategy.blueGreen?.previewReplicaCount ?? 0);
}

/** The same rollout with one env var changed: applying it starts a new revision, so the steps run. */
function nextRevision(r: Rollout): Rollout | undefined {
  const proc = r.spec.template.process;
  if (!proc) return undefined;
  const env = [...proc.env.filter((e) => e.name !== "FUZZ_REVISION"), { name: "FUZZ_REVISION", value: "2" }];
  return {
    ...r,
    spec: { ...r.spec, template: { ...r.spec.template, process: { ...proc, env: env.slice(-MAX_ENV) } } },
  };
}

/**
 * Applies generated manifests to one running `sluice up`, as a user would (lint first, then the
 * API), while a worker thread probes /healthz every 50 ms and an unrelated "sentinel" rollout
 * must keep answering through the router.
 */
export class FuzzApplyHarness {
  readonly counts: FuzzApplyCounts = {
    cases: 0,
    lintRefused: 0,
    empty: 0,
    lintAccepted: 0,
    skipped: 0,
    applied: 0,
    refusedByApply: 0,
    updated: 0,
    serverErrors: [],
    analysisRuns: 0,
    measurements: {},
    sentinelChecks: 0,
    sentinelFailures: [],
    controllerExits: [],
  };
  private healthz: HealthzWatch | undefined;
  private readonly runs = new Map<string, Record<string, number>>();
  /** Batches during which /healthz failed, to replay them (bench/fuzz-apply.ts --from). */
  readonly stalled: StalledBatch[] = [];
  private seq = 0;

  constructor(
    private readonly c: ControllerProcess,
    private readonly opts: { dwellMs?: number; sentinelRequests?: number } = {},
  ) {}

  /** Applies the sentinel, waits for it to serve, and starts watching /healthz and the process. */
  async start(): Promise<void> {
    this.c.child?.once("exit", (code, signal) => this.counts.controllerExits.push(String(code ?? signal)));
    await this.c.api.post("/apply", { resources: [demoRollout(SENTINEL, { VERSION: "1.0" }, { canary: {} }, 1)] });
    await waitForRollout(this.c.api, SENTINEL, isHealthy, { message: "sentinel Healthy", timeoutMs: 90_000 });
    const { url } = JSON.parse(readFileSync(path.join(this.c.stateDir, "api.json"), "utf8")) as { url: string };
    this.healthz = new HealthzWatch(url, { intervalMs: 50, limitMs: 1000 });
  }

  /** /healthz figures so far. */
  healthzSoFar(): Promise<HealthzStats> {
    if (!this.healthz) throw new Error("start() the harness first");
    return this.healthz.snapshot();
  }

  /** Stops the /healthz watch; the final figures. */
  async stop(): Promise<HealthzStats> {
    if (!this.healthz) throw new Error("start() the harness first");
    return this.healthz.stop();
  }

  /**
   * Lints every case, applies those lint accepts, applies each again as a new revision once the
   * first is settled, lets them run, checks the sentinel, and deletes them.
   */
  async runBatch(cases: ApplyCase[]): Promise<void> {
    const firstCase = this.counts.cases + 1;
    const failuresBefore = (await this.healthzSoFar()).failureCount;
    const applied: Resource[][] = [];
    for (const c of cases) {
      const resources = this.lint(c);
      if (resources && (await this.apply(resources, c.recipe))) applied.push(resources);
    }
    const rollouts = applied.flatMap((rs) => rs.filter((r): r is Rollout => r.kind === "Rollout"));
    // Steps run only for a rollout that has a stable revision: give the first one a moment to settle.
    await waitFor(async () => (await Promise.all(rollouts.map((r) => this.settled(r.metadata.name)))).every(Boolean), {
      timeoutMs: 5000,
      intervalMs: 200,
    }).catch(() => undefined);
    for (const resources of applied) {
      const next = resources.map((r) => (r.kind === "Rollout" ? nextRevision(r) : r));
      if (next.every((r) => r !== undefined) && (await this.apply(next, "second revision", false)))
        this.counts.updated++;
    }
    await this.dwell();
    await this.checkSentinel();
    for (const r of applied.flat()) await this.remove(r);
    const failures = (await this.healthzSoFar()).failureCount - failuresBefore;
    if (failures > 0)
      this.stalled.push({
        firstCase,
        failures,
        texts: cases.map((c, i) => c.text.replaceAll(NAME_TOKEN, `c${firstCase + i}-`)),
      });
  }

  private lint(c: ApplyCase): Resource[] | undefined {
    this.counts.cases++;
    const prefix = `c${++this.seq}-`;
    const { resources, errors } = loadText(c.text.replaceAll(NAME_TOKEN, prefix), "fuzz.yaml", {
      extraChecks: analysisChecks,
    });
    if (errors.length > 0) {
      this.counts.lintRefused++;
      return undefined;
    }
    if (resources.length === 0) {
      this.counts.empty++;
      return undefined;
    }
    this.counts.lintAccepted++;
    if (resources.some((r) => r.kind === "Rollout" && processBound(r as Rollout) > MAX_CASE_PROCESSES)) {
      this.counts.skipped++;
      return undefined;
    }
    // A mutated name may have lost the prefix; the sentinel is never replaced by a case.
    if (resources.some((r) => r.metadata.name === SENTINEL)) {
      this.counts.skipped++;
      return undefined;
    }
    return resources as Resource[];
  }

  /** True when applied; a 4xx is a refusal (counted), anything else a server error (recorded). */
  private async apply(resources: unknown[], recipe: string, first = true): Promise<boolean> {
    try {
      await this.c.api.post("/apply?source=fuzz.yaml", { resources });
      if (first) this.counts.applied++;
      return true;
    } catch (err) {
      if (err instanceof ApiClientError && err.status >= 400 && err.status < 500) {
        if (first) this.counts.refusedByApply++;
      } else this.serverError(err, recipe);
      return false;
    }
  }

  private async settled(name: string): Promise<boolean> {
    const r = await this.c.api.get<Rollout>(`/rollouts/${name}`);
    return r.status !== undefined && r.status.phase !== "Progressing";
  }

  /** Lets the batch run while reading what it made, as `sluice get` would. */
  private async dwell(): Promise<void> {
    const until = Date.now() + (this.opts.dwellMs ?? 2000);
    while (Date.now() < until) {
      try {
        await this.c.api.get("/rollouts");
        this.recordRuns(await this.c.api.get<AnalysisRun[]>("/analysisruns"));
      } catch (err) {
        this.serverError(err, "GET /rollouts, /analysisruns");
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private recordRuns(runs: AnalysisRun[]): void {
    for (const run of runs) {
      const phases: Record<string, number> = {};
      for (const m of run.status?.metricResults ?? [])
        for (const x of m.measurements) phases[x.phase] = (phases[x.phase] ?? 0) + 1;
      this.runs.set(run.metadata.name, phases);
    }
    this.counts.analysisRuns = this.runs.size;
    const total: Record<string, number> = {};
    for (const phases of this.runs.values())
      for (const [phase, n] of Object.entries(phases)) total[phase] = (total[phase] ?? 0) + n;
    this.counts.measurements = total;
  }

  private async checkSentinel(): Promise<void> {
    const n = this.opts.sentinelRequests ?? 20;
    this.counts.sentinelChecks++;
    const { statuses } = await sample(this.c.routerUrl, n, { headers: { host: SENTINEL }, concurrency: 4 });
    if (statuses[200] !== n)
      this.counts.sentinelFailures.push(`after case ${this.counts.cases}: ${JSON.stringify(statuses)}`);
  }

  private async remove(r: Resource): Promise<void> {
    try {
      await this.c.api.delete(`/${PLURALS[r.kind]}/${encodeURIComponent(r.metadata.name)}`);
    } catch (err) {
      // Already gone (a case that was refused as a whole leaves nothing behind) is fine.
      if (!(err instanceof ApiClientError && err.status === 404)) this.serverError(err, `delete ${r.metadata.name}`);
    }
  }

  private serverError(err: unknown, recipe: string): void {
    const status = err instanceof ApiClientError ? err.status : 0;
    const message = (err as Error).message?.split("\n")[0]?.slice(0, 300);
    if (this.counts.serverErrors.length < 50) this.counts.serverErrors.push(`${status} ${message}: ${recipe}`);
    else this.counts.serverErrors.push("…");
  }
}
