/**
 * Pipelines benchmark: N pipelines of 3 stages on the local platform (a real `sluice up`), one
 * Rollout of one cheap replica per stage, every stage gated by nothing but its own rollout (a canary
 * with a single setWeight step). One release per pipeline is created at once; the bench waits until
 * every release is Healthy in the last stage, then reads each pipeline's record and measures what
 * the controller adds to each stage transition. Not a test: it prints tables for docs/benchmarks.md.
 *
 *   npx tsx bench/pipelines.ts [--pipelines 100] [--timeout-minutes 15] [--profile DIR] [--markdown]
 *
 * --profile DIR profiles `sluice up` (and the router, which inherits its environment) and leaves a
 * .cpuprofile per process in DIR (open it in Chrome DevTools or speedscope).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Rollout } from "../src/model/index.js";
import type { RecordedEntry } from "../src/ports/control-plane.js";
import { ControllerProcess } from "../test/helpers/controller.js";
import { describeMachine } from "./lib/machine.js";
import { ProcSampler } from "./lib/proc-sampler.js";
import { quantile as bucketQuantile, minus, reconcileHistogram, scrape } from "./lib/prom-text.js";

const { values: args } = parseArgs({
  options: {
    pipelines: { type: "string", default: "100" },
    "timeout-minutes": { type: "string", default: "15" },
    profile: { type: "string" },
    markdown: { type: "boolean", default: false },
  },
});
const N = Number(args.pipelines);
const TIMEOUT_MS = Number(args["timeout-minutes"]) * 60_000;
if (!Number.isInteger(N) || N < 1) throw new Error("--pipelines takes a whole number of at least 1");
const STAGES = ["canary", "staging", "prod"] as const;
const RELEASE_ANNOTATION = "sluice.dev/release";

// ---------------------------------------------------------------- resources

/** A replica as cheap as Node.js gets: answers every path, so `/ready` passes at once. */
const APP = [
  "require('node:http')",
  ".createServer((q, s) => s.end(process.env.VERSION || ''))",
  ".listen(Number(process.env.PORT), '127.0.0.1')",
].join("");

const pipelineName = (i: number) => `p${String(i).padStart(4, "0")}`;
const rolloutName = (i: number, stage: string) => `${pipelineName(i)}-${stage}`;

function rollout(name: string) {
  return {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name },
    spec: {
      replicas: 1,
      template: {
        process: {
          command: process.execPath,
          args: ["-e", APP],
          env: [{ name: "VERSION", value: "1.0" }],
          readinessProbe: { httpGet: { path: "/ready" }, periodSeconds: 1 },
          terminationGracePeriodSeconds: 2,
        },
      },
      strategy: { canary: { steps: [{ setWeight: 50 }], scaleDownDelaySeconds: 0 } },
    },
  };
}

function pipeline(i: number) {
  return {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Pipeline",
    metadata: { name: pipelineName(i) },
    spec: { stages: STAGES.map((stage) => ({ name: stage, rollout: rolloutName(i, stage) })) },
  };
}

const releaseName = (i: number) => `${pipelineName(i)}-v2`;

// ---------------------------------------------------------------- measuring

const ms = (iso: string | undefined) => (iso === undefined ? Number.NaN : Date.parse(iso));

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** The time of the first record entry of `type` for the release in `stage`. */
function entryTime(entries: RecordedEntry[], type: string, release: string, stage?: string): number {
  return ms(entries.find((e) => e.type === type && e.release === release && e.stage === stage)?.time);
}

/** When the rollout's Healthy condition last turned True: the moment it became Healthy on the release. */
function rolloutHealthyAt(r: Rollout | undefined): number {
  const c = r?.status?.conditions.find((x) => x.type === "Healthy" && x.status === "True");
  return ms(c?.lastTransitionTime);
}

/** True when the rollout's current status shows it Healthy on `release`. */
function healthyOn(r: Rollout, release: string): boolean {
  const s = r.status;
  return (
    s !== undefined &&
    s.observedGeneration >= (r.metadata.generation ?? 0) &&
    s.phase === "Healthy" &&
    s.stableRevision === s.currentRevision &&
    r.spec.template.metadata?.annotations?.[RELEASE_ANNOTATION] === release
  );
}

interface Interval {
  label: string;
  /** The stage, or the transition (`canary → staging`), the values are about. */
  where: string;
  values: number[];
}

/**
 * Per-stage intervals in milliseconds, from the records and the final rollouts, in the order a
 * release meets them. The rollout's own work (Entered → rollout Healthy) is shown for scale; the
 * rest is what the controller adds.
 */
function intervals(
  records: Map<number, RecordedEntry[]>,
  rollouts: Map<string, Rollout>,
  created: Map<number, number>,
) {
  const out: Interval[] = [];
  const row = (label: string, where: string, value: (i: number, rel: string, e: RecordedEntry[]) => number) => {
    const values = [...records]
      .map(([i, e]) => value(i, releaseName(i), e))
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    out.push({ label, where, values });
  };
  const rolloutHealthy = (i: number, stage: string) => rolloutHealthyAt(rollouts.get(rolloutName(i, stage)));
  row(
    "release created → Promoted",
    STAGES[0],
    (i, rel, e) => entryTime(e, "Promoted", rel, STAGES[0]) - created.get(i)!,
  );
  STAGES.forEach((stage, k) => {
    row(
      "Promoted → Entered",
      stage,
      (_, rel, e) => entryTime(e, "Entered", rel, stage) - entryTime(e, "Promoted", rel, stage),
    );
    row(
      "Entered → rollout Healthy (not overhead)",
      stage,
      (i, rel, e) => rolloutHealthy(i, stage) - entryTime(e, "Entered", rel, stage),
    );
    row(
      "rollout Healthy → Healthy recorded",
      stage,
      (i, rel, e) => entryTime(e, "Healthy", rel, stage) - rolloutHealthy(i, stage),
    );
    const next = STAGES[k + 1];
    if (next === undefined) return;
    const where = `${stage} → ${next}`;
    row(
      "Healthy → Promoted",
      where,
      (_, rel, e) => entryTime(e, "Promoted", rel, next) - entryTime(e, "Healthy", rel, stage),
    );
    row(
      "rollout Healthy → Entered next (overhead)",
      where,
      (i, rel, e) => entryTime(e, "Entered", rel, next) - rolloutHealthy(i, stage),
    );
  });
  const overhead = out.filter((r) => r.label.endsWith("(overhead)"));
  out.push({
    label: "rollout Healthy → Entered next (overhead)",
    where: "every transition",
    values: overhead.flatMap((r) => r.values).sort((a, b) => a - b),
  });
  return out;
}

// ---------------------------------------------------------------- output

function table(header: string[], rows: string[][]): string {
  if (args.markdown)
    return [header, header.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  return [header, ...rows].map((cells) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ")).join("\n");
}

const sec = (v: number) => (Number.isFinite(v) ? `${(v / 1000).toFixed(2)} s` : "-");
const mb = (kb: number | undefined) => (kb === undefined ? "-" : `${(kb / 1024).toFixed(0)} MB`);

// ---------------------------------------------------------------- main

/** Runs `fn` over 0..n-1 with at most `limit` calls in flight. */
async function pool(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

/**
 * Polls the rollouts once a second until `done` holds for `expected` of them; prints progress every
 * 10 s. Returns every rollout as last seen.
 */
async function waitRollouts(
  c: ControllerProcess,
  done: (r: Rollout) => boolean,
  expected: number,
  what: string,
  sampler: ProcSampler,
): Promise<Map<string, Rollout>> {
  const began = Date.now();
  let lastLine = began;
  for (;;) {
    const list = await c.api.get<Rollout[]>("/rollouts");
    const count = list.filter(done).length;
    if (count >= expected) return new Map(list.map((r) => [r.metadata.name, r]));
    if (Date.now() - began > TIMEOUT_MS) throw new Error(`timed out waiting for ${what}: ${count}/${expected}`);
    if (Date.now() - lastLine >= 10_000) {
      lastLine = Date.now();
      const s = sampler.last.get("controller");
      console.error(
        `  ${((Date.now() - began) / 1000).toFixed(0)}s: ${count}/${expected} ${what}; controller RSS ${mb(s?.rssKb)}, CPU ${s?.cpuSeconds.toFixed(0)} s`,
      );
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

async function main(c: ControllerProcess): Promise<void> {
  const machine = describeMachine();
  console.error(`starting sluice up in ${c.stateDir} (load average ${machine.loadAverage})`);
  await c.start();
  const pid = Number(readFileSync(path.join(c.stateDir, "controller.pid"), "utf8"));
  const routerPid = Number(readFileSync(path.join(c.stateDir, "router.pid"), "utf8"));
  // The router's primary holds the listeners; its worker child serves and takes route-table pushes.
  const routerWorker = Number(
    readFileSync(`/proc/${routerPid}/task/${routerPid}/children`, "utf8").trim().split(" ")[0] || Number.NaN,
  );
  const sampler = new ProcSampler(
    new Map([
      ["controller", pid],
      ["router", routerPid],
      ...(Number.isNaN(routerWorker) ? [] : [["router worker", routerWorker] as [string, number]]),
    ]),
  );
  try {
    const idle = sampler.last.get("controller");

    console.error(`applying ${N} pipelines and ${3 * N} rollouts`);
    const setupBegan = Date.now();
    // Ten pipelines per request keeps each body well under the apply limit.
    await pool(Math.ceil(N / 10), 2, async (b) => {
      const resources = [];
      for (let i = b * 10; i < Math.min(N, b * 10 + 10); i++)
        resources.push(...STAGES.map((s) => rollout(rolloutName(i, s))), pipeline(i));
      await c.api.post("/apply", { resources });
    });
    await waitRollouts(c, (r) => r.status?.phase === "Healthy", 3 * N, "rollouts Healthy at 1.0", sampler);
    const setupSeconds = (Date.now() - setupBegan) / 1000;
    // Let replica start-up settle so the promotion's CPU and memory are its own.
    await new Promise((r) => setTimeout(r, 5_000));
    const before = sampler.cpu();
    const settled = sampler.last.get("controller");
    const peakBefore = sampler.peakKb.get("controller") ?? 0;
    const metricsUrl = `${(JSON.parse(readFileSync(path.join(c.stateDir, "api.json"), "utf8")) as { url: string }).url}/metrics`;
    const h0 = reconcileHistogram(await scrape(metricsUrl));

    console.error(`creating ${N} releases at once`);
    const began = Date.now();
    const created = new Map<number, number>();
    await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const body = {
          metadata: { name: releaseName(i) },
          spec: { pipeline: pipelineName(i), env: [{ name: "VERSION", value: "2.0" }] },
        };
        const stored = await c.api.post<{ metadata: { creationTimestamp: string } }>("/releases", body);
        created.set(i, ms(stored.metadata.creationTimestamp));
      }),
    );
    const postedSeconds = (Date.now() - began) / 1000;
    const lastStage = STAGES[STAGES.length - 1]!;
    const rollouts = await waitRollouts(
      c,
      (r) => {
        const m = /^(p\d{4})-(\w+)$/.exec(r.metadata.name);
        return m?.[2] === lastStage && healthyOn(r, `${m[1]}-v2`);
      },
      N,
      `${lastStage} rollouts Healthy on the release`,
      sampler,
    );

    // The planner records Healthy once it sees the rollout's status: wait for every record to show it.
    const records = new Map<number, RecordedEntry[]>();
    const deadline = Date.now() + 60_000;
    while (records.size < N) {
      if (Date.now() > deadline) throw new Error(`records without Healthy in ${lastStage}: ${N - records.size}`);
      await pool(N, 8, async (i) => {
        if (records.has(i)) return;
        const entries = await c.api.get<RecordedEntry[]>(`/pipelines/${pipelineName(i)}/record`);
        if (entries.some((e) => e.type === "Healthy" && e.release === releaseName(i) && e.stage === lastStage))
          records.set(i, entries);
      });
    }
    const lastHealthy = Math.max(...[...records].map(([i, e]) => entryTime(e, "Healthy", releaseName(i), lastStage)));
    const after = sampler.cpu();
    const reconciles = minus(reconcileHistogram(await scrape(metricsUrl)), h0);
    sampler.sample();
    const end = sampler.last.get("controller");

    const cpu = (name: string) => ((after.get(name) ?? 0) - (before.get(name) ?? 0)).toFixed(1);
    console.log(
      `machine: ${machine.nproc} cores, ${machine.cpu}, node ${machine.node}, load average at start ${machine.loadAverage}`,
    );
    console.log(
      `${N} pipelines × ${STAGES.length} stages; each stage a Rollout of 1 replica (a node -e HTTP server), ` +
        "canary [setWeight 50], scaleDownDelaySeconds 0, readiness probe every 1 s; no gates\n",
    );
    console.log(
      table(
        ["interval (per release)", "stage", "n", "p50", "p95", "p99", "max"],
        intervals(records, rollouts, created).map((v) => [
          v.label,
          v.where,
          String(v.values.length),
          ...[0.5, 0.95, 0.99, 1].map((q) => sec(quantile(v.values, q))),
        ]),
      ),
    );
    console.log();
    console.log(
      table(
        [
          "pipelines",
          "setup (3N rollouts Healthy)",
          "releases posted in",
          "all Healthy in last stage",
          "controller RSS idle",
          "before releases",
          "peak",
          "end",
          "controller CPU",
          "router CPU (primary + worker)",
        ],
        [
          [
            String(N),
            `${setupSeconds.toFixed(0)} s`,
            `${postedSeconds.toFixed(1)} s`,
            sec(lastHealthy - began),
            mb(idle?.rssKb),
            mb(settled?.rssKb),
            mb(Math.max(peakBefore, sampler.peakKb.get("controller") ?? 0, end?.hwmKb ?? 0)),
            mb(end?.rssKb),
            `${cpu("controller")} s`,
            `${cpu("router")} + ${cpu("router worker")} s`,
          ],
        ],
      ),
    );
    console.log(
      `\nrollout reconciles during the promotion: ${reconciles.count} (${(reconciles.count / (STAGES.length * N)).toFixed(1)} per stage rollout), ` +
        `mean ${((reconciles.sum / Math.max(1, reconciles.count)) * 1000).toFixed(1)} ms, p50 ${bucketQuantile(reconciles, 0.5)}, p99 ${bucketQuantile(reconciles, 0.99)}` +
        ` (histogram bucket bounds); reconciles run one at a time`,
    );
    console.log(
      "CPU is the promotion only (releases created → all Healthy in the last stage); peak RSS is VmHWM of the whole run, including setup.",
    );
    console.log(`command: npx tsx bench/pipelines.ts --pipelines ${N}`);
  } finally {
    sampler.stop();
  }
}

const controller = new ControllerProcess(
  undefined,
  args.profile
    ? {
        NODE_OPTIONS: `--import=${fileURLToPath(new URL("./lib/cpu-profile-hook.mjs", import.meta.url))}`,
        SLUICE_CPU_PROFILE_DIR: path.resolve(args.profile),
      }
    : {},
);
let stopping: Promise<void> | undefined;
const cleanup = () => {
  stopping ??= controller.destroy();
  return stopping;
};
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    console.error(`\n${signal}: stopping sluice up and every replica`);
    void cleanup().finally(() => process.exit(130));
  });

try {
  await main(controller);
} catch (err) {
  console.error(err);
  console.error(controller.output.split("\n").slice(-30).join("\n"));
  process.exitCode = 1;
} finally {
  await cleanup();
}
