import { type ChildProcess, spawn } from "node:child_process";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findKubeAssets } from "../../scripts/k8s/assets.js";
import { revisionHash } from "../../src/engine/hash.js";
import { Rollout } from "../../src/model/index.js";
import { useKubeController } from "../helpers/kube-controller.js";
import {
  applySluice,
  createNamespace,
  createService,
  GROUP,
  getSluice,
  kubeRollout,
  VERSION,
} from "../helpers/kube-sluice.js";
import { type RunningPrometheus, startPrometheus, waitForSeries } from "../helpers/prometheus.js";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";
import { waitFor } from "../helpers/wait.js";
import { createStableRoute, installHttpRouteCrd } from "./fixtures/router-crds/harness.js";

// The judge on Kubernetes: kwok pods run no process, so each revision's pods are stood in for by a
// real child process that serves request counters the way an instrumented app does, scraped by a
// real Prometheus that labels its series with the revision (as a team's pod relabelling would).
const skip = !(await findKubeAssets({ build: false })) && process.env.SLUICE_SKIP_KUBE === "1";

const hashOf = (manifest: ReturnType<typeof kubeRollout>) =>
  revisionHash(Rollout.parse({ ...manifest, metadata: { name: "x" } }).spec.template);

/**
 * A stand-in pod: serves `http_requests_total` counters that grow by 10 requests every 50 ms
 * (200 req/s), each failing with probability ERROR_RATE. Prints its port once listening.
 */
const POD = `
const http = require("node:http");
const p = Number(process.env.ERROR_RATE);
let ok = 0, failed = 0;
setInterval(() => { for (let i = 0; i < 10; i++) Math.random() < p ? failed++ : ok++; }, 50);
const s = http.createServer((_q, res) => res.end(
  "# TYPE http_requests_total counter\\n" +
  'http_requests_total{status="200"} ' + ok + "\\n" +
  'http_requests_total{status="500"} ' + failed + "\\n"));
s.listen(0, "127.0.0.1", () => console.log(s.address().port));
`;

type Pod = { port: number; child: ChildProcess };

async function startPod(errorRate: number): Promise<Pod> {
  const child = spawn(process.execPath, ["-e", POD], {
    env: { ...process.env, ERROR_RATE: String(errorRate) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`stand-in pod exited with ${code}`)));
    child.stdout?.once("data", (d: Buffer) => resolve(Number(String(d).trim())));
  });
  return { port, child };
}

const counts = {
  requests: 'sum(http_requests_total{revision="{{revision}}"})',
  errors: 'sum(http_requests_total{revision="{{revision}}",status=~"5.."}) or vector(0)',
  maxSampleAge: "4s",
};

type Status = { phase?: string; abort?: boolean; stableRevision?: string; message?: string };
type Counts = { requests: number; errors: number };
type JudgeStatus = { outcome?: string; explanation?: string; looks?: { canary: Counts; baseline: Counts }[] };
type MetricResult = {
  consecutiveError?: number;
  judge?: JudgeStatus;
  measurements?: { phase: string; message?: string }[];
};

describe.skipIf(skip)("the judge on Kubernetes with a real Prometheus", () => {
  // Gateway API is served so a rollout with a baseline revision can split three ways.
  const env = useKubeController("judge-test", {
    prepare: installHttpRouteCrd,
  });
  const pods: ChildProcess[] = [];
  let relay: TcpProxy;
  let prom: RunningPrometheus;
  const strategy = {
    canary: { steps: [{ setWeight: 50 }, { analysis: { templates: [{ templateName: "judge" }] } }] },
  };
  const v1 = kubeRollout("pay", "1", strategy, 2);
  const v2 = kubeRollout("pay", "2", strategy, 2);
  const v3 = kubeRollout("pay", "3", strategy, 2);
  const withBaseline = {
    canary: {
      ...strategy.canary,
      steps: [{ setWeight: 20 }, { analysis: { templates: [{ templateName: "judge" }] } }],
      baseline: true,
      stableService: "shop-stable",
      canaryService: "shop-canary",
      baselineService: "shop-baseline",
      trafficRouting: { gatewayAPI: { httpRoute: "shop" } },
    },
  };
  const shop1 = kubeRollout("shop", "1", withBaseline, 5);
  const shop2 = kubeRollout("shop", "2", withBaseline, 5);
  const shopBaseline = `${hashOf(shop1)}-baseline`;

  beforeAll(async () => {
    // v1 (stable) and v3 (good) fail 0.5 % of requests, v2 (bad) 20 %. v3 is scraped through a
    // relay the test cuts, to lose its scrape target while Prometheus stays up.
    // shop: stable's stand-in fails 20 %, like the canary, and the baseline's 0.5 %, so only a
    // judge that compares the canary with the baseline (not with stable) can abort shop v2.
    const started = await Promise.all([0.005, 0.2, 0.005, 0.2, 0.005, 0.2].map((rate) => startPod(rate)));
    pods.push(...started.map((p) => p.child));
    const [p1, p2, p3, s1, sb, s2] = started as [Pod, Pod, Pod, Pod, Pod, Pod];
    relay = await startTcpProxy({ host: "127.0.0.1", port: p3.port });
    prom = await startPrometheus({
      targets: [],
      groups: [
        { targets: [`127.0.0.1:${p1.port}`], labels: { revision: hashOf(v1) } },
        { targets: [`127.0.0.1:${p2.port}`], labels: { revision: hashOf(v2) } },
        { targets: [`127.0.0.1:${relay.port}`], labels: { revision: hashOf(v3) } },
        { targets: [`127.0.0.1:${s1.port}`], labels: { revision: hashOf(shop1) } },
        { targets: [`127.0.0.1:${sb.port}`], labels: { revision: shopBaseline } },
        { targets: [`127.0.0.1:${s2.port}`], labels: { revision: hashOf(shop2) } },
      ],
    });
    for (const revision of [v1, v2, v3, shop1, shop2].map(hashOf).concat(shopBaseline)) await seriesOf(revision);
  }, 60_000);
  afterAll(async () => {
    await prom?.stop();
    await relay?.close();
    for (const c of pods) c.kill("SIGKILL");
  });

  const seriesOf = (revision: string) =>
    waitForSeries(prom, counts.requests.replace("{{revision}}", revision), `${revision}'s series`);

  const status = async (ns: string, name = "pay") =>
    ((await getSluice(env.kc, ns, "Rollout", name)).status ?? {}) as Status;
  const until = (ns: string, test: (s: Status) => boolean, what: string, timeoutMs = 60_000, name = "pay") =>
    waitFor(async () => test(await status(ns, name)), { timeoutMs, intervalMs: 200, message: what }).catch(
      async (err) => {
        throw new Error(`${(err as Error).message}; status now ${JSON.stringify(await status(ns, name))}`);
      },
    );

  /** The judged metric's result in the newest AnalysisRun of the namespace. */
  async function judged(ns: string): Promise<MetricResult | undefined> {
    const list = (await env.kc
      .makeApiClient(CustomObjectsApi)
      .listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: "analysisruns" })) as {
      items: { metadata: { creationTimestamp?: string; name: string }; status?: { metricResults?: MetricResult[] } }[];
    };
    const newest = list.items.sort((a, b) =>
      `${a.metadata.creationTimestamp}${a.metadata.name}`.localeCompare(
        `${b.metadata.creationTimestamp}${b.metadata.name}`,
      ),
    );
    return newest.at(-1)?.status?.metricResults?.[0];
  }

  function template(judge: Record<string, unknown>) {
    return {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: "AnalysisTemplate",
      metadata: { name: "judge" },
      spec: {
        metrics: [
          {
            name: "errors",
            interval: "1s",
            consecutiveErrorLimit: 60,
            provider: { prometheus: { address: prom.url, counts, timeout: "2s" } },
            judge: { errorRate: {}, ...judge },
          },
        ],
      },
    };
  }

  it("aborts a bad canary with the judge's explanation, then promotes a good one through a Prometheus restart and a lost scrape target", async () => {
    const ns = await createNamespace(env.kc, "judge");
    await applySluice(env.kc, ns, template({ maxDuration: "60s" }));
    await applySluice(env.kc, ns, v1);
    await until(ns, (s) => s.phase === "Healthy", "v1 Healthy");

    // 1. A canary failing 20 % of requests against a 0.5 % baseline: aborted by the judge.
    await applySluice(env.kc, ns, v2);
    await until(ns, (s) => s.abort === true, "v2 aborted by the judge");
    const aborted = await status(ns);
    expect(aborted.stableRevision).toBe(hashOf(v1));
    expect(aborted.message).toMatch(/errors/);
    const failed = await judged(ns);
    expect(failed?.judge?.outcome).toBe("Failed");
    expect(failed?.judge?.explanation).toMatch(/canary error rate/);
    expect(failed?.judge?.explanation).not.toMatch(/insufficient evidence/);

    // 2. A good canary; enough requests asked for that the outages below fall inside the analysis.
    await applySluice(env.kc, ns, template({ minRequests: 8000, maxDuration: "3m" }));
    await applySluice(env.kc, ns, v3);
    const looks = async () => (await judged(ns))?.judge?.looks?.length ?? 0;
    await waitFor(async () => (await looks()) >= 2, { timeoutMs: 30_000, message: "two looks at v3" });

    // Prometheus goes away and comes back with its data: nothing is decided meanwhile, and the
    // thin window right after the restart does not promote.
    await prom.stop({ keepData: true });
    await waitFor(async () => ((await judged(ns))?.consecutiveError ?? 0) >= 2, {
      timeoutMs: 30_000,
      message: "errors while Prometheus is down",
    });
    expect((await judged(ns))?.judge?.outcome).toBe("Running");
    expect((await status(ns)).stableRevision).toBe(hashOf(v1));
    await prom.restart();
    const before = await looks();
    await waitFor(async () => (await looks()) > before, { timeoutMs: 30_000, message: "a look after the restart" });
    expect((await status(ns)).stableRevision).toBe(hashOf(v1));

    // The canary's scrape target is lost: its series go stale, so the look is Inconclusive, not a verdict.
    relay.cut();
    await waitFor(
      async () => {
        const m = (await judged(ns))?.measurements?.at(-1);
        return m?.phase === "Inconclusive" && /stale|no data|no fresh/.test(m.message ?? "");
      },
      { timeoutMs: 30_000, message: "an Inconclusive look while v3's target is lost" },
    );
    expect((await judged(ns))?.judge?.outcome).toBe("Running");
    const lost = await status(ns);
    expect(lost.stableRevision).toBe(hashOf(v1));
    expect(lost.abort).not.toBe(true);
    relay.restore();

    await until(ns, (s) => s.stableRevision === hashOf(v3) || s.abort === true, "v3 decided", 120_000);
    const done = await judged(ns);
    expect((await status(ns)).stableRevision, done?.judge?.explanation).toBe(hashOf(v3));
    expect(done?.judge?.outcome).toBe("Successful");
    expect(done?.judge?.looks?.at(-1)?.canary.requests ?? 0).toBeGreaterThanOrEqual(8000);
  }, 240_000);

  it("compares the canary with the baseline revision, not with stable, when the rollout runs one", async () => {
    const ns = await createNamespace(env.kc, "judge-baseline");
    for (const name of ["shop-stable", "shop-canary", "shop-baseline"]) await createService(env.kc, ns, name, "shop");
    await createStableRoute(env.kc, ns, "shop", "shop-stable");
    await applySluice(env.kc, ns, template({ maxDuration: "60s" }));
    await applySluice(env.kc, ns, shop1);
    await until(ns, (s) => s.phase === "Healthy", "shop v1 Healthy", 60_000, "shop");

    await applySluice(env.kc, ns, shop2);
    await until(ns, (s) => s.abort === true, "shop v2 aborted against the baseline", 60_000, "shop");
    const failed = await judged(ns);
    expect(failed?.judge?.outcome).toBe("Failed");
    expect(failed?.judge?.explanation).toMatch(/baseline/);
    // The baseline's looks are the 0.5 % stand-in's counts, far below stable's 20 %.
    const last = failed?.judge?.looks?.at(-1);
    expect(last?.baseline.requests ?? 0).toBeGreaterThan(0);
    expect((last?.baseline.errors ?? 0) / (last?.baseline.requests ?? 1)).toBeLessThan(0.05);
    expect((await status(ns, "shop")).stableRevision).toBe(hashOf(shop1));
  }, 120_000);
});
