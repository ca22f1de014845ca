/**
 * Kubernetes scale benchmark: N one-replica Rollouts spread over K namespaces on a local control
 * plane (kwok makes pods Ready without a kubelet), first created at v1, then all moved to v2 at
 * once. The controller runs as its own process (`sluice controller`), so the memory measured is
 * its own. Not a test: it prints tables for docs/benchmarks.md.
 *
 *   npx tsx bench/kube-scale.ts [--rollouts 1000] [--namespaces 10] [--concurrency 20]
 *     [--pause 5s] [--timeout-minutes 15] [--profile DIR] [--concurrent-reconciles 1] [--markdown]
 *
 * --profile DIR runs the controller with `node --cpu-prof` and leaves the .cpuprofile in DIR.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
} from "@kubernetes/client-node";
import { revisionHash } from "../src/engine/hash.js";
import { Rollout } from "../src/model/index.js";
import { type ControlPlane, startControlPlane } from "../test/helpers/kube.js";
import { createNamespace, GROUP, installCrds, VERSION } from "../test/helpers/kube-sluice.js";
import { type ControllerProcess, fullGcs, startController, stopController } from "./lib/controller-process.js";
import { describeMachine } from "./lib/machine.js";
import { ProcSampler } from "./lib/proc-sampler.js";
import {
  apiRequests,
  type Histogram,
  minus,
  quantile,
  reconcileHistogram,
  scrape,
  scrapeApiserver,
} from "./lib/prom-text.js";

const ROLLOUT_LABEL = "sluice.dev/rollout";
const HASH_LABEL = "sluice.dev/pod-template-hash";
const mergePatch = () => setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

const { values: args } = parseArgs({
  options: {
    rollouts: { type: "string", default: "1000" },
    namespaces: { type: "string", default: "10" },
    concurrency: { type: "string", default: "20" },
    pause: { type: "string", default: "5s" },
    "timeout-minutes": { type: "string", default: "15" },
    profile: { type: "string" },
    "concurrent-reconciles": { type: "string", default: "1" },
    markdown: { type: "boolean", default: false },
  },
});
const N = Number(args.rollouts);
const K = Number(args.namespaces);
const CONCURRENCY = Number(args.concurrency);
const TIMEOUT_MS = Number(args["timeout-minutes"]) * 60_000;

// ---------------------------------------------------------------- rollouts

const ns = (i: number) => `bench-${i % K}`;
const name = (i: number) => `r-${String(i).padStart(5, "0")}`;

function manifest(rollout: string, version: string) {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: "Rollout",
    metadata: { name: rollout },
    spec: {
      replicas: 1,
      template: {
        metadata: { labels: { app: rollout } },
        spec: { containers: [{ name: "app", image: `registry.example/${rollout}:${version}` }] },
      },
      strategy: { canary: { steps: [{ setWeight: 50 }, { pause: { duration: args.pause } }] } },
    },
  };
}

const hashOf = (m: ReturnType<typeof manifest>) => revisionHash(Rollout.parse(m).spec.template);

/** Runs `fn` over 0..n-1 with at most `limit` calls in flight. */
async function pool(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

interface Progress {
  /** Seconds from the start of the phase until 50%, 90% and 100% of rollouts were Healthy on the target. */
  healthy: { p50?: number; p90?: number; all?: number };
  /** Seconds until every target-revision pod was Ready (sampled every 5 s, so an upper bound). */
  podsReady?: number;
  finalHealthy: number;
}

type Listed = { metadata?: { name?: string }; status?: { phase?: string; stableRevision?: string } };

/**
 * Polls rollouts (one LIST per namespace, every second) and pods (one LIST, every 5 s) until every
 * rollout is Healthy on `target` or the deadline passes. Prints a progress line every 10 s.
 */
async function watchPhase(kc: KubeConfig, target: Map<string, string>, began: number, sampler: ProcSampler) {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const targets = new Set(target.values());
  const progress: Progress = { healthy: {}, finalHealthy: 0 };
  const secs = () => (Date.now() - began) / 1000;
  let lastPods = 0;
  let lastLine = 0;
  let podsReady = 0;
  while (Date.now() - began < TIMEOUT_MS) {
    const lists = await Promise.all(
      Array.from({ length: Math.min(K, N) }, (_, i) =>
        custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns(i), plural: "rollouts" }),
      ),
    );
    const phases = new Map<string, number>();
    let healthy = 0;
    for (const list of lists)
      for (const r of (list as { items: Listed[] }).items) {
        const phase = r.status?.phase ?? "New";
        phases.set(phase, (phases.get(phase) ?? 0) + 1);
        if (phase === "Healthy" && r.status?.stableRevision === target.get(r.metadata?.name ?? "")) healthy++;
      }
    const t = secs();
    if (healthy >= N / 2) progress.healthy.p50 ??= t;
    if (healthy >= N * 0.9) progress.healthy.p90 ??= t;
    progress.finalHealthy = healthy;
    // Once all are Healthy the pods are Ready too; one last look bounds the time from above.
    if (progress.podsReady === undefined && (Date.now() - lastPods >= 5_000 || healthy >= N)) {
      lastPods = Date.now();
      const pods = await core.listPodForAllNamespaces({ labelSelector: ROLLOUT_LABEL });
      podsReady = pods.items.filter((p) => targets.has(p.metadata?.labels?.[HASH_LABEL] ?? "") && ready(p)).length;
      if (podsReady >= N) progress.podsReady = secs();
    }
    if (Date.now() - lastLine >= 10_000) {
      lastLine = Date.now();
      const c = sampler.last.get("controller");
      console.error(
        `  ${t.toFixed(0)}s: ${healthy}/${N} Healthy on target, pods ready ${podsReady}; ` +
          `${[...phases].map(([p, n]) => `${p} ${n}`).join(", ")}; controller RSS ${mb(c?.rssKb)} MB, CPU ${c?.cpuSeconds.toFixed(0)} s`,
      );
    }
    if (healthy >= N) {
      progress.healthy.all = t;
      break;
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
  return progress;
}

const ready = (p: V1Pod) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
const mb = (kb: number | undefined) => (kb === undefined ? "-" : (kb / 1024).toFixed(0));
const s = (x: number | undefined) => (x === undefined ? "timeout" : `${x.toFixed(1)} s`);

/** Who posted the Kubernetes Events in the cluster, e.g. "sluice-controller 8000, replicaset-controller 2000". */
async function eventSources(kc: KubeConfig): Promise<string> {
  const counts = new Map<string, number>();
  for (const e of (await kc.makeApiClient(CoreV1Api).listEventForAllNamespaces()).items) {
    const who = e.reportingComponent || e.source?.component || "?";
    counts.set(who, (counts.get(who) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([who, n]) => `${who} ${n}`)
    .join(", ");
}

// ---------------------------------------------------------------- main

function table(header: string[], rows: string[][]): string {
  if (args.markdown)
    return [header, header.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  return [header, ...rows].map((cells) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ")).join("\n");
}

async function main(): Promise<void> {
  const machine = describeMachine();
  const dir = mkdtempSync(path.join(tmpdir(), "sluice-bench-kube-"));
  let cp: ControlPlane | undefined;
  let controller: ControllerProcess | undefined;
  let sampler: ProcSampler | undefined;
  let failed = true;
  try {
    console.error(`starting a control plane (load average ${machine.loadAverage})`);
    cp = await startControlPlane({ build: false });
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    const core = kc.makeApiClient(CoreV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    // The fake node takes 110 pods, as a kubelet does by default; a v2 canary doubles the pods.
    const pods = String(Math.max(110, 3 * N));
    await core.patchNodeStatus(
      { name: cp.nodeName, body: { status: { capacity: { pods }, allocatable: { pods } } } },
      mergePatch(),
    );
    await installCrds(kc);
    for (let i = 0; i < Math.min(K, N); i++) await createNamespace(kc, ns(i));

    controller = await startController(cp.kubeconfigPath, dir, args.profile, [
      "--concurrent-reconciles",
      String(args["concurrent-reconciles"]),
    ]);
    const [etcd, apiserver, kcm, scheduler, kwok] = cp.pids;
    sampler = new ProcSampler(
      new Map([
        ["controller", controller.child.pid!],
        ["kube-apiserver", apiserver!],
        ["etcd", etcd!],
        ["kube-controller-manager", kcm!],
        ["kube-scheduler", scheduler!],
        ["kwok", kwok!],
      ]),
    );
    const metricsUrl = `${controller.metricsUrl}/metrics`;
    // The controller with no rollouts yet: what the process costs before any work.
    await new Promise((r) => setTimeout(r, 3_000));
    const cpu0 = sampler.cpu();
    const cpuBench = process.cpuUsage();
    const idleKb = sampler.last.get("controller")?.rssKb ?? 0;
    const api0 = apiRequests(await scrapeApiserver(kc));
    const h0 = reconcileHistogram(await scrape(metricsUrl));

    console.error(`creating ${N} rollouts at v1 in ${K} namespaces`);
    const v1 = new Map(Array.from({ length: N }, (_, i) => [name(i), hashOf(manifest(name(i), "1"))]));
    const began1 = Date.now();
    await pool(N, CONCURRENCY, async (i) => {
      await custom.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: ns(i),
        plural: "rollouts",
        body: manifest(name(i), "1"),
      });
    });
    const created = (Date.now() - began1) / 1000;
    const p1 = await watchPhase(kc, v1, began1, sampler);
    const cpu1 = sampler.cpu();
    const h1 = reconcileHistogram(await scrape(metricsUrl));

    console.error(`updating all ${N} rollouts to v2`);
    const v2 = new Map(Array.from({ length: N }, (_, i) => [name(i), hashOf(manifest(name(i), "2"))]));
    const began2 = Date.now();
    await pool(N, CONCURRENCY, async (i) => {
      const body = { spec: { template: manifest(name(i), "2").spec.template } };
      await custom.patchNamespacedCustomObject(
        { group: GROUP, version: VERSION, namespace: ns(i), plural: "rollouts", name: name(i), body },
        mergePatch(),
      );
    });
    const updated = (Date.now() - began2) / 1000;
    const p2 = await watchPhase(kc, v2, began2, sampler);
    const cpu2 = sampler.cpu();
    const h2 = reconcileHistogram(await scrape(metricsUrl));
    const api2 = apiRequests(await scrapeApiserver(kc));
    sampler.sample();
    sampler.stop();

    const all = minus(h2, h0);
    const failures = (readFileSync(controller.logPath, "utf8").match(/failed; retrying/g) ?? []).length;
    const c = sampler.last.get("controller");
    const cPeak = sampler.peakKb.get("controller");
    console.log(
      `machine: ${machine.nproc} cores, ${machine.cpu}, node ${machine.node}, load average at start ${machine.loadAverage}`,
    );
    console.log(
      `canary steps [setWeight 50, pause ${args.pause}], 1 replica each, ${CONCURRENCY} writes in flight, ${args["concurrent-reconciles"]} reconciles at once per namespace\n`,
    );
    console.log(
      table(
        [
          "rollouts",
          "namespaces",
          "all Healthy v1",
          "all Healthy v2",
          "reconcile p50",
          "reconcile p99",
          "reconciles",
          "controller RSS idle",
          "peak RSS",
          "RSS at end",
        ],
        [
          [
            String(N),
            String(K),
            s(p1.healthy.all),
            s(p2.healthy.all),
            quantile(all, 0.5),
            quantile(all, 0.99),
            String(all.count),
            `${mb(idleKb)} MB`,
            `${mb(cPeak)} MB`,
            `${mb(c?.rssKb)} MB`,
          ],
        ],
      ),
    );
    console.log("\nreconcile quantiles are histogram bucket upper bounds, not interpolated");
    console.log(
      `controller memory per rollout: (peak - idle) / rollouts = ${(((cPeak ?? 0) - idleKb) / N).toFixed(0)} KB\n`,
    );
    const phaseRow = (
      label: string,
      write: number,
      p: Progress,
      h: Histogram,
      cpuA: Map<string, number>,
      cpuB: Map<string, number>,
    ) => [
      label,
      `${write.toFixed(1)} s`,
      p.podsReady === undefined ? "-" : `≤ ${s(p.podsReady)}`,
      s(p.healthy.p50),
      s(p.healthy.p90),
      p.healthy.all === undefined ? `timeout (${p.finalHealthy}/${N})` : s(p.healthy.all),
      String(h.count),
      h.count ? `${((h.sum / h.count) * 1000).toFixed(1)} ms` : "-",
      quantile(h, 0.5),
      quantile(h, 0.99),
      `${((cpuB.get("controller") ?? 0) - (cpuA.get("controller") ?? 0)).toFixed(0)} s`,
    ];
    console.log(
      table(
        [
          "phase",
          "writes sent in",
          "pods Ready",
          "50% Healthy",
          "90% Healthy",
          "all Healthy",
          "reconciles",
          "mean",
          "p50",
          "p99",
          "controller CPU",
        ],
        [
          phaseRow("v1 (create)", created, p1, minus(h1, h0), cpu0, cpu1),
          phaseRow("v2 (update)", updated, p2, minus(h2, h1), cpu1, cpu2),
        ],
      ),
    );
    const wall = (Date.now() - began1) / 1000;
    console.log(
      `\nprocesses over the whole run (${wall.toFixed(0)} s of wall time; 2 cores = ${(2 * wall).toFixed(0)} CPU s):\n`,
    );
    console.log(
      table(
        ["process", "peak RSS", "RSS at end", "CPU"],
        [...sampler.pids.keys()].map((p) => [
          p,
          `${mb(sampler?.peakKb.get(p))} MB`,
          `${mb(sampler?.last.get(p)?.rssKb)} MB`,
          `${((cpu2.get(p) ?? 0) - (cpu0.get(p) ?? 0)).toFixed(0)} s`,
        ]),
      ),
    );
    const requests = [...api2]
      .map(([k, v]) => {
        const before = api0.get(k) ?? { count: 0, seconds: 0 };
        return [k, v.count - before.count, v.seconds - before.seconds] as const;
      })
      .filter(([k, n]) => n > 0 && !k.startsWith("WATCH"))
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10);
    console.log("\nAPI requests served during the run (all clients; the bench's own polling included):\n");
    console.log(
      table(
        ["verb resource (scope)", "requests", "per rollout", "mean latency"],
        requests.map(([k, n, sec]) => [k, String(n), (n / N).toFixed(1), `${((sec / n) * 1000).toFixed(1)} ms`]),
      ),
    );
    const events = await eventSources(kc);
    console.log(`\nEvents by reporting component: ${events}`);
    const bench = process.cpuUsage(cpuBench);
    console.log(`this bench process (polling, writes): ${((bench.user + bench.system) / 1e6).toFixed(0)} CPU s`);
    const gc = fullGcs(controller.logPath);
    console.log(
      `\ncontroller heap after a full GC (live objects): ${gc.lastMb} MB after the last, ${gc.maxMb} MB at most ` +
        `(${gc.count} full GCs; all GC pauses ${(gc.pauseMs / 1000).toFixed(1)} s)`,
    );
    console.log(`reconciles that failed and were retried: ${failures}`);
    failed = false;
  } finally {
    sampler?.stop();
    if (controller) await stopController(controller);
    await cp?.stop();
    if (failed || args.profile) console.error(`controller log kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
