import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, type KubernetesObject, KubernetesObjectApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { findKubeAssets } from "../../scripts/k8s/assets.js";
import { type KubeRuntime, startKubeRuntime } from "../../src/controller/kube-runtime.js";
import type { StageView } from "../../src/pipeline/index.js";
import { requestByApproval } from "../../src/platform/kubernetes/cluster-pipelines.js";
import { clusterSecret } from "../../src/platform/kubernetes/clusters/cluster-secret.js";
import type { RecordedEntry } from "../../src/ports/control-plane.js";
import { type ControllerProcess, startControllerProcess } from "../helpers/controller-process.js";
import { type ClusterSet, groupsRssKiB, serviceAccountKubeconfig, startClusters } from "../helpers/kube-multi.js";
import {
  applySluice,
  createNamespace,
  createService,
  GROUP,
  getSluice,
  installCrds,
  kubeRollout,
  VERSION,
  webCheckTemplate,
} from "../helpers/kube-sluice.js";
import { waitFor } from "../helpers/wait.js";

// A release travels canary (in the hub) -> staging (cluster 2) -> production (cluster 3, blue-green,
// behind an approval). Each cluster is a real control plane with its own Sluice controller: the
// hub's is a child process (so it can be killed -9), the targets' run in this process. The hub
// reaches the targets only through the kubeconfig Secrets registered with it, as the hub's
// ServiceAccount in each target (deploy/multicluster/target-rbac.yaml).
const skip = !(await findKubeAssets({ build: false }));
const RBAC = new URL("../../deploy/multicluster/target-rbac.yaml", import.meta.url);
const APPROVAL_POLICY = new URL("../../deploy/pipeline-approval-policy.yaml", import.meta.url);
const TARGETS = ["staging", "production"] as const;
const HUB_NS = "delivery";
const APPS = "apps";

type PipelineStatus = { stages?: StageView[]; record?: RecordedEntry[] };
type RolloutStatus = { phase?: string; abort?: boolean };

describe.skipIf(skip)("multi-cluster pipelines: the hub drives stages in other clusters", () => {
  let set: ClusterSet;
  let dir: string;
  let hub: ControllerProcess | undefined;
  const targets: Partial<Record<(typeof TARGETS)[number], KubeRuntime>> = {};
  const errors: string[] = [];
  // The canary stage's analysis asks this server whether the release is good.
  let verdict = { ok: true };
  let verdictServer: Server;

  const cluster = (name: "hub" | (typeof TARGETS)[number]) => set.clusters[name]!;
  const startHub = (identity: string) => {
    hub = startControllerProcess(cluster("hub").cp.kubeconfigPath, {
      args: ["--identity", identity, "--no-leader-elect", "-n", HUB_NS],
    });
    return hub;
  };
  const status = async () => (await getSluice(cluster("hub").kc, HUB_NS, "Pipeline", "shop")).status as PipelineStatus;
  const record = async () => (await status())?.record ?? [];
  const stage = async (name: string) => (await status())?.stages?.find((s) => s.stage === name);
  const entries = (all: RecordedEntry[], type: string, release: string, stageName?: string) =>
    all.filter((e) => e.type === type && e.release === release && (stageName === undefined || e.stage === stageName));
  const rolloutIn = async (where: "hub" | (typeof TARGETS)[number]) =>
    getSluice(cluster(where).kc, where === "hub" ? HUB_NS : APPS, "Rollout", "web");
  const imageIn = async (where: "hub" | (typeof TARGETS)[number]) =>
    ((await rolloutIn(where)).spec as { template: { spec: { containers: { image: string }[] } } }).template.spec
      .containers[0]?.image;
  const phaseIn = async (where: "hub" | (typeof TARGETS)[number]) =>
    ((await rolloutIn(where)).status as RolloutStatus | undefined)?.phase;
  const release = (name: string) =>
    applySluice(cluster("hub").kc, HUB_NS, {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: "Release",
      metadata: { name },
      spec: { pipeline: "shop", image: `registry.example/web:${name}` },
    });
  const approve = (name: string, reason: string) =>
    requestByApproval(cluster("hub").kc, HUB_NS, "shop", {
      type: "approve",
      stage: "production",
      release: name,
      reason,
    });

  beforeAll(async () => {
    verdictServer = createServer((_req, res) => res.end(JSON.stringify(verdict)));
    await new Promise<void>((r) => verdictServer.listen(0, "127.0.0.1", r));
    dir = await mkdtemp(join(tmpdir(), "sluice-multi-pipeline-"));
    set = await startClusters(["hub", ...TARGETS]);
    const pids = Object.values(set.clusters).flatMap((c) => c.cp.pids);
    console.log(
      `three control planes: ready in ${set.startedInMs} ms, resident memory ${Math.round(groupsRssKiB(pids) / 1024)} MiB`,
    );
    const docs = async (url: URL) =>
      parseAllDocuments(await readFile(url, "utf8")).map((d) => d.toJS() as KubernetesObject);
    const rbac = await docs(RBAC);
    const hubKc = cluster("hub").kc;
    await installCrds(hubKc);
    await createNamespace(hubKc, HUB_NS);
    const hubObjects = KubernetesObjectApi.makeApiClient(hubKc);
    for (const doc of await docs(APPROVAL_POLICY)) await hubObjects.create(doc);

    await Promise.all(
      TARGETS.map(async (name) => {
        const target = cluster(name);
        await installCrds(target.kc);
        await createNamespace(target.kc, APPS);
        const objects = KubernetesObjectApi.makeApiClient(target.kc);
        for (const obj of rbac) await objects.create(obj);
        // The hub knows the target only by this Secret: the ServiceAccount's token and the target's CA.
        const file = join(dir, name);
        await serviceAccountKubeconfig(target, { namespace: "sluice-hub", name: "sluice-hub" }, file);
        const secret = clusterSecret(name, await readFile(file, "utf8"), {
          actor: "test",
          at: new Date(),
          namespace: HUB_NS,
        });
        await hubKc.makeApiClient(CoreV1Api).createNamespacedSecret({ namespace: HUB_NS, body: secret });
        targets[name] = await startKubeRuntime({
          kc: target.kc,
          identity: `${name}-controller`,
          namespace: APPS,
          onError: (m, err) => errors.push(`${name}: ${m}: ${err instanceof Error ? err.message : String(err)}`),
        });
      }),
    );

    const port = (verdictServer.address() as { port: number }).port;
    await applySluice(hubKc, HUB_NS, webCheckTemplate("smoke", port));
    const canary = { canary: { steps: [{ setWeight: 50 }, { analysis: { templates: [{ templateName: "smoke" }] } }] } };
    await applySluice(hubKc, HUB_NS, kubeRollout("web", "v1", canary, 2));
    await applySluice(
      cluster("staging").kc,
      APPS,
      kubeRollout("web", "v1", { canary: { steps: [{ setWeight: 50 }] } }, 2),
    );
    const prod = cluster("production").kc;
    await createService(prod, APPS, "web-active", "web");
    await createService(prod, APPS, "web-preview", "web");
    const blueGreen = {
      blueGreen: {
        activeService: "web-active",
        previewService: "web-preview",
        autoPromotionSeconds: 5,
        scaleDownDelaySeconds: 1,
      },
    };
    await applySluice(prod, APPS, kubeRollout("web", "v1", blueGreen, 2));

    startHub("hub-1");
    for (const where of ["hub", ...TARGETS] as const)
      await waitFor(async () => (await phaseIn(where)) === "Healthy", {
        timeoutMs: 90_000,
        message: `${where}'s rollout Healthy on v1`,
      });
    await applySluice(hubKc, HUB_NS, {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: "Pipeline",
      metadata: { name: "shop" },
      spec: {
        stages: [
          { name: "canary", rollout: "web" },
          { name: "staging", rollout: "web", cluster: "staging", namespace: APPS },
          {
            name: "production",
            rollout: "web",
            cluster: "production",
            namespace: APPS,
            // The admin's client certificate is in group system:masters: it may approve.
            approval: { from: { roles: ["system:masters"] }, timeout: "1h" },
          },
        ],
      },
    });
  }, 10 * 60_000);

  afterAll(async () => {
    await hub?.kill();
    await Promise.all(Object.values(targets).map((t) => t?.stop()));
    await set?.stop();
    await new Promise<void>((r) => (verdictServer ? verdictServer.close(() => r()) : r()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("promotes a release canary (hub) -> staging (cluster 2) -> production (cluster 3, blue-green); production waits for an approval that survives a hub kill -9", async () => {
    await release("v2");
    await waitFor(async () => entries(await record(), "ApprovalRequested", "v2", "production").length === 1, {
      timeoutMs: 120_000,
      message: "v2 through canary and staging, waiting for approval in production",
    });
    expect(await imageIn("hub")).toBe("registry.example/web:v2");
    expect(await imageIn("staging")).toBe("registry.example/web:v2");
    expect(await phaseIn("staging")).toBe("Healthy");
    expect(await imageIn("production")).toBe("registry.example/web:v1");
    expect(await stage("staging")).toMatchObject({ state: "Healthy", release: "v2" });
    expect(await stage("production")).toMatchObject({ state: "Waiting", candidate: "v2" });
    const productionBefore = (await rolloutIn("production")).metadata?.generation;

    // kill -9 of the hub while production waits: the approval gate waits on, nothing is repeated.
    const before = await record();
    await hub?.kill();
    const second = startHub("hub-2");
    await waitFor(async () => second.output.join("").includes("leading"), {
      timeoutMs: 60_000,
      message: "the second hub controller leading",
    });
    await waitFor(async () => (await stage("production"))?.state === "Waiting", {
      timeoutMs: 30_000,
      message: "production still waiting after the restart",
    });
    expect(await record()).toEqual(before);
    expect((await rolloutIn("production")).metadata?.generation).toBe(productionBefore);

    const approved = await approve("v2", "staging looks good");
    expect(approved).toMatchObject({ type: "Approved", stage: "production", release: "v2" });
    await waitFor(async () => (await imageIn("production")) === "registry.example/web:v2", {
      timeoutMs: 60_000,
      message: "v2 written into production by the hub",
    });
    await waitFor(async () => entries(await record(), "Healthy", "v2", "production").length === 1, {
      timeoutMs: 90_000,
      message: "production Healthy on v2, recorded by the hub",
    });
    const all = await record();
    expect(entries(all, "Promoted", "v2").map((e) => e.stage)).toEqual(["canary", "staging", "production"]);
    expect(entries(all, "Promoted", "v2", "production")[0]?.reason).toMatch(/approved by/);
    expect((await rolloutIn("production")).metadata?.generation).toBe((productionBefore ?? 0) + 1);
    // Nothing was recorded twice across the kill: one entry per kind, stage and release.
    const keys = all.filter((e) => e.release === "v2").map((e) => `${e.type} ${e.stage ?? ""}`);
    expect(keys.length).toBeGreaterThanOrEqual(8);
    expect(new Set(keys).size).toBe(keys.length);
  }, 300_000);

  it("production's API server stops mid-promotion: its rollout finishes on its own, the hub shows it Unreachable, then catches up without a second write", async () => {
    await release("v3");
    await waitFor(async () => entries(await record(), "ApprovalRequested", "v3", "production").length === 1, {
      timeoutMs: 120_000,
      message: "v3 waiting for approval in production",
    });
    const generation = (await rolloutIn("production")).metadata?.generation ?? 0;
    await approve("v3", "ship it");
    await waitFor(async () => (await imageIn("production")) === "registry.example/web:v3", {
      timeoutMs: 60_000,
      message: "v3 written into production",
    });
    const production = cluster("production").cp;
    await production.apiServer.stop();
    const unreachable = await waitFor(
      async () => {
        const s = await stage("production");
        return s?.state === "Unreachable" ? s : undefined;
      },
      { timeoutMs: 30_000, message: "production shown Unreachable in the hub" },
    );
    expect(unreachable.message).toMatch(
      /^cluster production unreachable \((ECONNREFUSED|ECONNRESET|timeout)\); last known: Progressing on v3$/,
    );
    expect(unreachable.unreachable?.lastContact).toBeDefined();
    expect(entries(await record(), "Healthy", "v3", "production")).toEqual([]);

    await production.apiServer.start();
    await waitFor(
      async () => (await phaseIn("production")) === "Healthy" && (await stage("production"))?.state === "Healthy",
      {
        timeoutMs: 120_000,
        message: "production Healthy on v3 after the API server came back, and the hub caught up",
      },
    );
    await waitFor(async () => entries(await record(), "Healthy", "v3", "production").length === 1, {
      timeoutMs: 30_000,
      message: "the hub recorded production Healthy on v3",
    });
    const all = await record();
    expect(entries(all, "Promoted", "v3", "production")).toHaveLength(1);
    expect((await rolloutIn("production")).metadata?.generation).toBe(generation + 1);
  }, 300_000);

  it("a bad release is rolled back in the first stage and never reaches the other clusters", async () => {
    const staging = (await rolloutIn("staging")).metadata?.generation;
    const production = (await rolloutIn("production")).metadata?.generation;
    verdict = { ok: false };
    await release("v4");
    await waitFor(async () => entries(await record(), "Rejected", "v4").length === 1, {
      timeoutMs: 120_000,
      message: "v4 failed in canary and rejected",
    });
    const all = await record();
    expect(entries(all, "Failed", "v4").map((e) => e.stage)).toEqual(["canary"]);
    expect(entries(all, "Promoted", "v4").map((e) => e.stage)).toEqual(["canary"]);
    expect(((await rolloutIn("hub")).status as RolloutStatus).abort).toBe(true);
    expect(await imageIn("staging")).toBe("registry.example/web:v3");
    expect(await imageIn("production")).toBe("registry.example/web:v3");
    expect((await rolloutIn("staging")).metadata?.generation).toBe(staging);
    expect((await rolloutIn("production")).metadata?.generation).toBe(production);
    // Watches restart by design (a fresh CRD answers 429 for a moment); production's controller saw
    // its API server go away and come back (refused or reset, then 503 while starting). Nothing else failed.
    const transient =
      /watch of [a-z]+ failed; restarting|^production: .*(ECONNREFUSED|ECONNRESET|HTTP 503|socket hang up)/s;
    expect(errors.filter((e) => !transient.test(e))).toEqual([]);
  }, 200_000);
});
