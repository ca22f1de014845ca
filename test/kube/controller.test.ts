import { createServer, type Server } from "node:http";
import { isDeepStrictEqual } from "node:util";
import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findKubeAssets } from "../../scripts/k8s/assets.js";
import { revisionHash } from "../../src/engine/hash.js";
import { Rollout } from "../../src/model/index.js";
import { commandRollout } from "../../src/platform/kubernetes/commands.js";
import { useKubeController } from "../helpers/kube-controller.js";
import {
  applySluice,
  createNamespace,
  createService,
  getSluice,
  kubeRollout,
  replicaSetsOf,
  serviceSelector,
  webCheckTemplate,
} from "../helpers/kube-sluice.js";
import { type RunningPrometheus, startPrometheus } from "../helpers/prometheus.js";
import { waitFor } from "../helpers/wait.js";

const skip = !(await findKubeAssets({ build: false })) && process.env.SLUICE_SKIP_KUBE === "1";
const HASH = "sluice.dev/pod-template-hash";

/** The revision hash the controller gives a manifest (same engine, same function). */
const hashOf = (manifest: ReturnType<typeof kubeRollout>) =>
  revisionHash(Rollout.parse({ ...manifest, metadata: { name: "x" } }).spec.template);

type Status = {
  phase?: string;
  currentStepIndex?: number;
  stableRevision?: string;
  abort?: boolean;
  message?: string;
  revisions?: { hash: string; role: string; weight?: number; actualWeight?: number }[];
};

describe.skipIf(skip)("the Kubernetes controller on a real control plane", () => {
  const logs: string[] = [];
  const env = useKubeController("test-controller", { log: (m) => logs.push(m) });

  const status = async (ns: string, name: string) =>
    ((await getSluice(env.kc, ns, "Rollout", name)).status ?? {}) as Status;
  const until = (ns: string, name: string, test: (s: Status) => boolean, what: string, timeoutMs = 60_000) =>
    waitFor(async () => test(await status(ns, name)), {
      timeoutMs,
      intervalMs: 200,
      message: `${ns}/${name}: ${what}`,
    }).catch(async (err) => {
      throw new Error(`${(err as Error).message}; status now ${JSON.stringify(await status(ns, name))}`);
    });

  /** Status is committed before its actions are carried out, so what it implies shows up a moment later. */
  const selectorIs = async (ns: string, service: string, want: Record<string, string>) => {
    await waitFor(async () => isDeepStrictEqual(await serviceSelector(env.kc, ns, service), want), {
      timeoutMs: 15_000,
      message: `${service} selects ${JSON.stringify(want)}`,
    }).catch(() => undefined);
    expect(await serviceSelector(env.kc, ns, service)).toEqual(want);
  };
  const replicasAre = async (ns: string, rollout: string, hash: string, want: number) => {
    await waitFor(async () => (await replicaSetsOf(env.kc, ns, rollout))[hash]?.replicas === want, {
      timeoutMs: 15_000,
      message: `${rollout}-${hash} at ${want} replicas`,
    }).catch(() => undefined);
    expect((await replicaSetsOf(env.kc, ns, rollout))[hash]?.replicas).toBe(want);
  };

  it("walks canary steps: ReplicaSets scale, Services move, setCanaryScale, promotion", async () => {
    const ns = await createNamespace(env.kc, "canary");
    await createService(env.kc, ns, "web-stable", "web");
    await createService(env.kc, ns, "web-canary", "web");
    const strategy = {
      canary: {
        stableService: "web-stable",
        canaryService: "web-canary",
        scaleDownDelaySeconds: 1,
        steps: [
          { setWeight: 25 },
          { pause: {} },
          { setCanaryScale: { replicas: 3 } },
          { setWeight: 50 },
          { pause: {} },
        ],
      },
    };
    const v1 = kubeRollout("web", "1", strategy);
    const h1 = hashOf(v1);
    await applySluice(env.kc, ns, v1);
    await until(ns, "web", (s) => s.phase === "Healthy" && s.stableRevision === h1, "v1 Healthy");
    expect(await replicaSetsOf(env.kc, ns, "web")).toMatchObject({ [h1]: { replicas: 4, ready: 4 } });
    await selectorIs(ns, "web-stable", { app: "web", [HASH]: h1 });

    const v2 = kubeRollout("web", "2", strategy);
    const h2 = hashOf(v2);
    await applySluice(env.kc, ns, v2);
    await until(ns, "web", (s) => s.phase === "Paused" && s.currentStepIndex === 1, "paused at step 2");
    await replicasAre(ns, "web", h2, 1); // ceil(4 × 25%)
    await replicasAre(ns, "web", h1, 4);
    const rs = await replicaSetsOf(env.kc, ns, "web");
    expect(rs[h2]?.rs.metadata?.ownerReferences?.[0]).toMatchObject({ kind: "Rollout", name: "web", controller: true });
    await selectorIs(ns, "web-canary", { app: "web", [HASH]: h2 });
    await selectorIs(ns, "web-stable", { app: "web", [HASH]: h1 });
    const s = await status(ns, "web");
    expect(s.revisions?.find((r) => r.hash === h2)?.weight).toBe(25);
    // No router: a Service over both revisions splits by ready pods, 1 of 5.
    expect(s.revisions?.find((r) => r.hash === h2)?.actualWeight).toBe(20);

    await commandRollout({ kc: env.kc, namespace: ns }, "web", { type: "promote" });
    await until(ns, "web", (x) => x.phase === "Paused" && x.currentStepIndex === 4, "paused at step 5");
    await replicasAre(ns, "web", h2, 3); // setCanaryScale 3 holds at weight 50

    await commandRollout({ kc: env.kc, namespace: ns }, "web", { type: "promote" });
    await until(ns, "web", (x) => x.phase === "Healthy" && x.stableRevision === h2, "v2 Healthy");
    await selectorIs(ns, "web-stable", { app: "web", [HASH]: h2 });
    // Scaled to zero, or already deleted (revisionHistoryLimit): either way no pod of v1 is asked for.
    await waitFor(
      async () => {
        const old = (await replicaSetsOf(env.kc, ns, "web"))[h1];
        return old === undefined || old.replicas === 0;
      },
      { timeoutMs: 30_000, message: "old ReplicaSet scaled down after scaleDownDelaySeconds" },
    );
    expect((await replicaSetsOf(env.kc, ns, "web"))[h2]).toMatchObject({ replicas: 4, ready: 4 });
  }, 180_000);

  it("abort restores stable at once and scales the canary down only after abortScaleDownDelaySeconds", async () => {
    const ns = await createNamespace(env.kc, "abort");
    await createService(env.kc, ns, "api-stable", "api");
    await createService(env.kc, ns, "api-canary", "api");
    const strategy = {
      canary: {
        stableService: "api-stable",
        canaryService: "api-canary",
        abortScaleDownDelaySeconds: 4,
        steps: [{ setWeight: 50 }, { pause: {} }],
      },
    };
    const v1 = kubeRollout("api", "1", strategy, 2);
    const h1 = hashOf(v1);
    await applySluice(env.kc, ns, v1);
    await until(ns, "api", (s) => s.phase === "Healthy", "v1 Healthy");
    const v2 = kubeRollout("api", "2", strategy, 2);
    const h2 = hashOf(v2);
    await applySluice(env.kc, ns, v2);
    await until(ns, "api", (s) => s.phase === "Paused", "v2 paused at 50%");
    await replicasAre(ns, "api", h2, 1);

    const abortedAt = Date.now();
    await commandRollout({ kc: env.kc, namespace: ns }, "api", { type: "abort" });
    await until(ns, "api", (s) => s.abort === true && s.phase === "Degraded", "aborted");
    const right = await status(ns, "api");
    expect(right.revisions?.find((r) => r.hash === h1)?.weight).toBe(100);
    await selectorIs(ns, "api-stable", { app: "api", [HASH]: h1 });
    // Still up during the delay, so a retry or an investigation finds it running.
    expect((await replicaSetsOf(env.kc, ns, "api"))[h2]?.replicas).toBe(1);
    await waitFor(async () => ((await replicaSetsOf(env.kc, ns, "api"))[h2]?.replicas ?? 0) === 0, {
      timeoutMs: 30_000,
      message: "canary scaled down after the abort delay",
    });
    expect(Date.now() - abortedAt).toBeGreaterThanOrEqual(4_000 - 500);
    expect((await replicaSetsOf(env.kc, ns, "api"))[h1]?.replicas).toBe(2);
  }, 120_000);

  it("a canary with no steps is a rolling update within maxSurge and maxUnavailable", async () => {
    const ns = await createNamespace(env.kc, "rolling");
    const strategy = { canary: { maxSurge: 1, maxUnavailable: 0, scaleDownDelaySeconds: 0 } };
    const v1 = kubeRollout("batch", "1", strategy, 4);
    await applySluice(env.kc, ns, v1);
    await until(ns, "batch", (s) => s.phase === "Healthy", "v1 Healthy");
    const v2 = kubeRollout("batch", "2", strategy, 4);
    const h2 = hashOf(v2);
    await applySluice(env.kc, ns, v2);
    // Sample the ReplicaSets until v2 is stable: never more than replicas + maxSurge desired,
    // never fewer than replicas - maxUnavailable ready.
    let maxDesired = 0;
    let minReady = Number.POSITIVE_INFINITY;
    await waitFor(
      async () => {
        const sets = Object.values(await replicaSetsOf(env.kc, ns, "batch"));
        maxDesired = Math.max(
          maxDesired,
          sets.reduce((n, r) => n + r.replicas, 0),
        );
        minReady = Math.min(
          minReady,
          sets.reduce((n, r) => n + r.ready, 0),
        );
        const s = await status(ns, "batch");
        return s.phase === "Healthy" && s.stableRevision === h2;
      },
      { timeoutMs: 90_000, intervalMs: 100, message: "v2 rolled out" },
    );
    expect(maxDesired).toBeLessThanOrEqual(5);
    expect(maxDesired).toBeGreaterThan(4); // it did surge
    expect(minReady).toBeGreaterThanOrEqual(4);
    await replicasAre(ns, "batch", h2, 4);
  }, 180_000);

  describe("analysis arguments from a Secret", () => {
    let server: Server;
    beforeAll(async () => {
      // Answers ok only to the token the Secret holds.
      server = createServer((req, res) =>
        res.end(JSON.stringify({ ok: req.headers.authorization === "Bearer s3cret" })),
      );
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it("reads valueFrom.secretKeyRef, and aborts with the Secret named when it is missing", async () => {
      const ns = await createNamespace(env.kc, "secrets");
      const port = (server.address() as { port: number }).port;
      await applySluice(env.kc, ns, {
        apiVersion: "sluice.dev/v1alpha1",
        kind: "AnalysisTemplate",
        metadata: { name: "authorized" },
        spec: {
          args: [{ name: "token", valueFrom: { secretKeyRef: { name: "checker", key: "token" } } }],
          metrics: [
            {
              name: "authorized",
              provider: {
                web: {
                  url: `http://127.0.0.1:${port}/check`,
                  headers: [{ key: "Authorization", value: "Bearer {{args.token}}" }],
                  jsonPath: "{$.ok}",
                },
              },
              successCondition: "result == true",
            },
          ],
        },
      });
      const strategy = {
        canary: { steps: [{ setWeight: 50 }, { analysis: { templates: [{ templateName: "authorized" }] } }] },
      };
      await applySluice(env.kc, ns, kubeRollout("pay", "1", strategy, 2));
      await until(ns, "pay", (s) => s.phase === "Healthy", "v1 Healthy");

      // No Secret yet: the run cannot be built, which is an Error verdict, never a pass.
      await applySluice(env.kc, ns, kubeRollout("pay", "2", strategy, 2));
      await until(ns, "pay", (s) => s.abort === true, "v2 aborted: the Secret is missing");
      expect((await status(ns, "pay")).message).toMatch(/Secret "checker"/);

      await env.kc.makeApiClient(CoreV1Api).createNamespacedSecret({
        namespace: ns,
        body: { metadata: { name: "checker" }, stringData: { token: "s3cret" } },
      });
      const v3 = kubeRollout("pay", "3", strategy, 2);
      await applySluice(env.kc, ns, v3);
      await until(ns, "pay", (s) => s.phase === "Healthy" && s.stableRevision === hashOf(v3), "v3 promoted");
    }, 120_000);
  });

  describe("blue-green with pre-promotion analysis through the web provider", () => {
    let server: Server;
    let verdict = { ok: false };
    beforeAll(async () => {
      server = createServer((_req, res) => res.end(JSON.stringify(verdict)));
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it("switches the active Service only after the analysis succeeds", async () => {
      const ns = await createNamespace(env.kc, "bluegreen");
      await createService(env.kc, ns, "shop-active", "shop");
      await createService(env.kc, ns, "shop-preview", "shop");
      const port = (server.address() as { port: number }).port;
      await applySluice(env.kc, ns, webCheckTemplate("smoke", port));
      const strategy = {
        blueGreen: {
          activeService: "shop-active",
          previewService: "shop-preview",
          autoPromotionEnabled: true,
          scaleDownDelaySeconds: 1,
          prePromotionAnalysis: { templates: [{ templateName: "smoke" }] },
        },
      };
      const v1 = kubeRollout("shop", "1", strategy, 2);
      const h1 = hashOf(v1);
      await applySluice(env.kc, ns, v1);
      await until(ns, "shop", (s) => s.phase === "Healthy", "v1 Healthy");
      await selectorIs(ns, "shop-active", { app: "shop", [HASH]: h1 });

      // A failing smoke test: the preview never becomes active.
      verdict = { ok: false };
      const v2 = kubeRollout("shop", "2", strategy, 2);
      const h2 = hashOf(v2);
      await applySluice(env.kc, ns, v2);
      await until(ns, "shop", (s) => s.abort === true, "v2 aborted by the failed analysis");
      await selectorIs(ns, "shop-active", { app: "shop", [HASH]: h1 });

      verdict = { ok: true };
      const v3 = kubeRollout("shop", "3", strategy, 2);
      const h3 = hashOf(v3);
      await applySluice(env.kc, ns, v3);
      await waitFor(async () => (await serviceSelector(env.kc, ns, "shop-preview"))[HASH] === h3, {
        timeoutMs: 30_000,
        message: "preview Service on v3",
      });
      // While the analysis runs, the active Service stays on v1.
      expect((await serviceSelector(env.kc, ns, "shop-active"))[HASH]).toBe(h1);
      await until(ns, "shop", (s) => s.phase === "Healthy" && s.stableRevision === h3, "v3 promoted");
      await selectorIs(ns, "shop-active", { app: "shop", [HASH]: h3 });
      const runs = await env.kc
        .makeApiClient((await import("@kubernetes/client-node")).CustomObjectsApi)
        .listNamespacedCustomObject({
          group: "sluice.dev",
          version: "v1alpha1",
          namespace: ns,
          plural: "analysisruns",
        });
      const phases = (runs as { items: { status?: { phase?: string } }[] }).items.map((r) => r.status?.phase).sort();
      expect(phases).toEqual(["Failed", "Successful"]);
      expect(h2).not.toBe(h3);
    }, 180_000);
  });

  describe("canary analysis through a real Prometheus scraping a process on 127.0.0.1", () => {
    let exporter: Server;
    let prom: RunningPrometheus;
    let errorRatio = 0;
    beforeAll(async () => {
      exporter = createServer((_req, res) =>
        res.end(`# TYPE canary_error_ratio gauge\ncanary_error_ratio{app="pay"} ${errorRatio}\n`),
      );
      await new Promise<void>((r) => exporter.listen(0, "127.0.0.1", r));
      prom = await startPrometheus({ targets: [`127.0.0.1:${(exporter.address() as { port: number }).port}`] });
    }, 60_000);
    afterAll(async () => {
      await prom?.stop();
      await new Promise<void>((r) => exporter.close(() => r()));
    });

    it("aborts a canary whose error ratio fails the query, and promotes one that passes", async () => {
      const ns = await createNamespace(env.kc, "prometheus");
      await applySluice(env.kc, ns, {
        apiVersion: "sluice.dev/v1alpha1",
        kind: "AnalysisTemplate",
        metadata: { name: "error-ratio" },
        spec: {
          metrics: [
            {
              name: "error-ratio",
              interval: "1s",
              count: 3,
              provider: { prometheus: { address: prom.url, query: 'max(canary_error_ratio{app="pay"})' } },
              successCondition: "result[0] < 0.05",
            },
          ],
        },
      });
      const strategy = {
        canary: { steps: [{ setWeight: 50 }, { analysis: { templates: [{ templateName: "error-ratio" }] } }] },
      };
      const v1 = kubeRollout("pay", "1", strategy, 2);
      const h1 = hashOf(v1);
      await applySluice(env.kc, ns, v1);
      await until(ns, "pay", (s) => s.phase === "Healthy", "v1 Healthy");

      errorRatio = 0.2;
      await waitFor(
        async () => {
          const r = await fetch(`${prom.url}/api/v1/query?query=canary_error_ratio`);
          const body = (await r.json()) as { data: { result: { value: [number, string] }[] } };
          return body.data.result[0]?.value[1] === "0.2";
        },
        { timeoutMs: 20_000, message: "Prometheus scraped the failing ratio" },
      );
      await applySluice(env.kc, ns, kubeRollout("pay", "2", strategy, 2));
      await until(ns, "pay", (s) => s.abort === true, "v2 aborted by the Prometheus analysis");
      const aborted = await status(ns, "pay");
      expect(aborted.stableRevision).toBe(h1);
      expect(aborted.message).toMatch(/error-ratio/);

      errorRatio = 0.01;
      await waitFor(
        async () => {
          const r = await fetch(`${prom.url}/api/v1/query?query=canary_error_ratio`);
          const body = (await r.json()) as { data: { result: { value: [number, string] }[] } };
          return body.data.result[0]?.value[1] === "0.01";
        },
        { timeoutMs: 20_000, message: "Prometheus scraped the passing ratio" },
      );
      const v3 = kubeRollout("pay", "3", strategy, 2);
      await applySluice(env.kc, ns, v3);
      await until(ns, "pay", (s) => s.phase === "Healthy" && s.stableRevision === hashOf(v3), "v3 promoted");
    }, 180_000);
  });
});
