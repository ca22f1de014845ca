import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi, type KubernetesObject, KubernetesObjectApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { findKubeAssets } from "../../scripts/k8s/assets.js";
import { clusterSecretName, readClusterSecret } from "../../src/platform/kubernetes/clusters/cluster-secret.js";
import { RemoteRollouts } from "../../src/platform/kubernetes/clusters/remote-rollouts.js";
import { runSluice } from "../helpers/cli.js";
import { type ClusterSet, groupsRssKiB, serviceAccountKubeconfig, startClusters } from "../helpers/kube-multi.js";
import {
  applySluice,
  createNamespace,
  GROUP,
  getSluice,
  installCrds,
  kubeRollout,
  VERSION,
} from "../helpers/kube-sluice.js";
import { waitFor } from "../helpers/wait.js";

// A hub and two targets, each a real control plane on 127.0.0.1. The hub keeps target credentials
// as Secrets (sluice cluster add) and probes them (cluster list); the targets grant it only what
// deploy/multicluster/target-rbac.yaml grants.
const skip = !(await findKubeAssets({ build: false }));
const RBAC = new URL("../../deploy/multicluster/target-rbac.yaml", import.meta.url);
const TARGETS = ["staging", "production"] as const;

describe.skipIf(skip)("multi-cluster: target registry", () => {
  let set: ClusterSet;
  let dir: string;
  let hubConfig: string;
  const hubNs = "delivery";

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sluice-multi-"));
    set = await startClusters(["hub", ...TARGETS]);
    const pids = Object.values(set.clusters).flatMap((c) => c.cp.pids);
    console.log(
      `three control planes: ready in ${set.startedInMs} ms (each ${Object.values(set.clusters)
        .map((c) => `${c.name} ${c.cp.startedInMs} ms`)
        .join(", ")}), resident memory ${Math.round(groupsRssKiB(pids) / 1024)} MiB`,
    );
    hubConfig = set.clusters.hub?.cp.kubeconfigPath ?? "";
    await createNamespace(set.clusters.hub!.kc, hubNs);
    const rbac = parseAllDocuments(await readFile(RBAC, "utf8")).map((d) => d.toJS() as KubernetesObject);
    await Promise.all(
      TARGETS.map(async (name) => {
        const target = set.clusters[name]!;
        await installCrds(target.kc);
        await createNamespace(target.kc, "apps");
        await createNamespace(target.kc, "other");
        const objects = KubernetesObjectApi.makeApiClient(target.kc);
        for (const obj of rbac) await objects.create(obj);
        await applySluice(target.kc, "apps", kubeRollout("web", "v1", { canary: { steps: [{ setWeight: 50 }] } }));
        await serviceAccountKubeconfig(target, { namespace: "sluice-hub", name: "sluice-hub" }, join(dir, name));
      }),
    );
  });

  afterAll(async () => {
    await set?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const list = async () => {
    const run = await runSluice(["cluster", "list", "-o", "json", "--kubeconfig", hubConfig, "-n", hubNs]);
    expect(run.stderr).toBe("");
    return JSON.parse(run.stdout) as { name: string; reachable: boolean; version?: string; error?: string }[];
  };

  it("cluster add stores each target attributed; cluster list shows them reachable without credentials", async () => {
    for (const name of TARGETS) {
      const run = await runSluice([
        "cluster",
        "add",
        name,
        "--kubeconfig",
        join(dir, name),
        "--hub-kubeconfig",
        hubConfig,
        "-n",
        hubNs,
      ]);
      expect(run.stderr).toBe("");
      expect(run.stdout).toContain(`cluster/${name} added in namespace ${hubNs}`);
    }
    const secret = await set.clusters.hub!.kc.makeApiClient(CoreV1Api).readNamespacedSecret({
      namespace: hubNs,
      name: clusterSecretName("production"),
    });
    // The admin kubeconfig's user is a client certificate of group system:masters.
    expect(secret.metadata?.annotations?.["sluice.dev/added-by"]).toBeTruthy();
    const rows = await list();
    expect(rows).toEqual([
      expect.objectContaining({ name: "production", reachable: true, version: "v1.37.1" }),
      expect.objectContaining({ name: "staging", reachable: true, version: "v1.37.1" }),
    ]);
    const table = await runSluice(["cluster", "list", "--kubeconfig", hubConfig, "-n", hubNs]);
    expect(table.stdout).toMatch(/^NAME\s+SERVER\s+REACHABLE\s+VERSION\s+LATENCY/);
    const token = (await readFile(join(dir, "production"), "utf8")).match(/"token":"([^"]+)"/)?.[1] ?? "";
    expect(token.length).toBeGreaterThan(20);
    expect(table.stdout + JSON.stringify(rows)).not.toContain(token);
  });

  it("a bad kubeconfig is refused with one line and nothing stored", async () => {
    const run = await runSluice(["cluster", "add", "Bad_Name", "--kubeconfig", join(dir, "staging"), "-n", hubNs]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/cluster name "Bad_Name"/);
    const secrets = await set.clusters.hub!.kc.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: hubNs });
    expect(secrets.items.map((s) => s.metadata?.name).sort()).toEqual([
      clusterSecretName("production"),
      clusterSecretName("staging"),
    ]);
  });

  it("the hub's credentials change Rollouts in the named namespace and nothing else", async () => {
    const secret = await set.clusters.hub!.kc.makeApiClient(CoreV1Api).readNamespacedSecret({
      namespace: hubNs,
      name: clusterSecretName("staging"),
    });
    const { kc } = readClusterSecret(secret);
    if (!kc) throw new Error("staging's Secret is unusable");
    const custom = kc.makeApiClient(CustomObjectsApi);
    const rollouts = (await custom.listNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: "apps",
      plural: "rollouts",
    })) as { items: unknown[] };
    expect(rollouts.items).toHaveLength(1);
    const denied = async (p: Promise<unknown>) => expect(await p.then(() => 200).catch((e) => e.code)).toBe(403);
    await denied(kc.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: "apps" }));
    await denied(kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: "apps" }));
    await denied(
      custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: "other", plural: "rollouts" }),
    );
    await denied(
      custom.deleteNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: "apps",
        plural: "rollouts",
        name: "web",
      }),
    );
  });

  it("the hub writes a target's rollout once; a target whose control plane is gone is unreachable with its last known state, refuses writes, and the other stays reachable", async () => {
    // The hub's view of production's rollouts, through the stored credentials: write once, not twice.
    const secret = await set.clusters.hub!.kc.makeApiClient(CoreV1Api).readNamespacedSecret({
      namespace: hubNs,
      name: clusterSecretName("production"),
    });
    const { kc } = readClusterSecret(secret);
    if (!kc) throw new Error("production's Secret is unusable");
    const remote = new RemoteRollouts("production", kc, "apps", 3_000);
    expect((await remote.refresh()).reachable).toBe(true);
    const known = remote.lastKnown("web");
    const spec = { ...(known?.rollout.spec as Record<string, unknown>), replicas: 3 };
    expect(await remote.apply("web", spec, { "sluice.dev/release": "v2" })).toBe(true);
    expect(await remote.apply("web", spec, { "sluice.dev/release": "v2" })).toBe(false);
    const stored = await getSluice(set.clusters.production!.kc, "apps", "Rollout", "web");
    expect(stored.spec?.replicas).toBe(3);
    expect(stored.metadata?.annotations?.["sluice.dev/release"]).toBe("v2");
    await remote.refresh();
    const versionBefore = remote.lastKnown("web")?.rollout.metadata.resourceVersion;
    expect(versionBefore).toBe(stored.metadata?.resourceVersion);

    await set.clusters.production!.cp.stop();
    const after = await remote.refresh();
    expect(after.reachable).toBe(false);
    // Last known state kept, with its age; no write on stale data.
    expect(remote.lastKnown("web")?.rollout.metadata.resourceVersion).toBe(versionBefore);
    expect(remote.lastKnown("web")?.ageMs).toBeGreaterThanOrEqual(0);
    await expect(remote.apply("web", { ...spec, replicas: 2 })).rejects.toThrow(/cluster unreachable/);

    await waitFor(
      async () => {
        const clusters = await list();
        return clusters.find((c) => c.name === "production")?.reachable === false;
      },
      { timeoutMs: 30_000, intervalMs: 500, message: "production shown unreachable" },
    );
    const clusters = await list();
    expect(clusters.find((c) => c.name === "production")?.error).toMatch(/ECONNREFUSED|timeout/);
    expect(clusters.find((c) => c.name === "staging")?.reachable).toBe(true);
  });
});
