import { readdirSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { type ControlPlane, startControlPlane } from "./kube.js";

/** One of several control planes a multi-cluster test runs: its role's name, the control plane, an admin client. */
export interface NamedCluster {
  name: string;
  cp: ControlPlane;
  /** Admin (system:masters) config. */
  kc: KubeConfig;
}

/** Several control planes started together, with what starting them cost. */
export interface ClusterSet {
  clusters: Record<string, NamedCluster>;
  /** Wall time until every control plane was ready. */
  startedInMs: number;
  stop(): Promise<void>;
}

/**
 * Starts one control plane per name, in parallel, from the same cached binaries: each its own etcd,
 * kube-apiserver, controller-manager, scheduler and kwok on 127.0.0.1. Stops the ones that came up
 * if another fails.
 */
export async function startClusters(names: readonly string[]): Promise<ClusterSet> {
  const began = Date.now();
  const results = await Promise.allSettled(
    names.map((name) => startControlPlane({ build: false, nodeName: `${name}-node-0` })),
  );
  const failed = results.find((r) => r.status === "rejected");
  if (failed) {
    await Promise.all(results.map((r) => (r.status === "fulfilled" ? r.value.stop() : undefined)));
    throw (failed as PromiseRejectedResult).reason;
  }
  const clusters: Record<string, NamedCluster> = {};
  names.forEach((name, i) => {
    const cp = (results[i] as PromiseFulfilledResult<ControlPlane>).value;
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    clusters[name] = { name, cp, kc };
  });
  return {
    clusters,
    startedInMs: Date.now() - began,
    stop: async () => {
      await Promise.all(Object.values(clusters).map((c) => c.cp.stop()));
    },
  };
}

/**
 * Resident memory (KiB) of every process in the given process groups, read from /proc: what the
 * control planes of a test cost the machine.
 */
export function groupsRssKiB(pgids: readonly number[]): number {
  const wanted = new Set(pgids);
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(join("/proc", entry, "stat"), "utf8");
      // Fields after the command (which may hold spaces) start after the last ')': state ppid pgrp.
      const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      if (!wanted.has(pgrp)) continue;
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(join("/proc", entry, "status"), "utf8"));
      total += Number(rss?.[1] ?? 0);
    } catch {
      // The process ended between listing and reading.
    }
  }
  return total;
}

/**
 * A kubeconfig for a ServiceAccount of `target` (a short-lived token from the TokenRequest API and
 * the server's CA): what the hub would be given for that target. Written to `path`.
 */
export async function serviceAccountKubeconfig(
  target: NamedCluster,
  sa: { namespace: string; name: string },
  path: string,
): Promise<void> {
  const review = await target.kc.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    namespace: sa.namespace,
    name: sa.name,
    body: { spec: { expirationSeconds: 3600, audiences: [] } },
  });
  const token = review.status?.token;
  if (!token) throw new Error(`no token for ServiceAccount ${sa.namespace}/${sa.name} in ${target.name}`);
  const cluster = target.kc.getCurrentCluster();
  const doc = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name: target.name, cluster: { server: cluster?.server, "certificate-authority-data": cluster?.caData } },
    ],
    users: [{ name: `${sa.name}@${target.name}`, user: { token } }],
    contexts: [{ name: target.name, context: { cluster: target.name, user: `${sa.name}@${target.name}` } }],
    "current-context": target.name,
  };
  await writeFile(path, JSON.stringify(doc), { mode: 0o600 });
}
