import { ApiException, CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { apiErrorMessage } from "../../platform/kubernetes/api-errors.js";
import { whoAmI } from "../../platform/kubernetes/cluster-pipelines.js";
import {
  ClusterConfigError,
  checkClusterName,
  clusterSecret,
  clusterSecretName,
  minimalKubeconfig,
} from "../../platform/kubernetes/clusters/cluster-secret.js";
import { listClusters, probeCluster } from "../../platform/kubernetes/clusters/registry.js";
import { CliError } from "../cli-error.js";
import { age, renderTable } from "../format/table.js";
import { loadKubeConfig } from "../kubeconfig.js";
import { type Format, type Output, printStructured } from "../output.js";

/** Options of `sluice cluster add`: the target's kubeconfig (global --kubeconfig/--context) and the hub's. */
export interface ClusterAddOptions {
  /** The target's kubeconfig file and context: what the hub will use to reach it. */
  kubeconfig?: string;
  context?: string;
  /** The hub's kubeconfig and context (default $KUBECONFIG, ~/.kube/config). */
  hubKubeconfig?: string;
  hubContext?: string;
  /** The hub namespace whose pipelines may name the cluster (default the hub context's, else default). */
  namespace?: string;
}

function hubNamespace(kc: KubeConfig, namespace: string | undefined): string {
  return namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? "default";
}

function cliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  return new CliError(err instanceof Error ? err.message : String(err), 1, { cause: err });
}

/**
 * `sluice cluster add NAME --kubeconfig FILE [--context C]`: stores the target's credentials (one
 * context, certificates inlined, no exec plugins) as a labelled Secret in the hub namespace, with
 * who added it and when. Replaces an earlier registration of the same name.
 */
export async function clusterAddCommand(name: string, o: ClusterAddOptions, out: Output): Promise<void> {
  try {
    checkClusterName(name);
    if (!o.kubeconfig) throw new CliError("cluster add: pass the target's --kubeconfig FILE (and --context C)");
    const target = loadKubeConfig({ kubeconfig: o.kubeconfig, ...(o.context ? { context: o.context } : {}) });
    const text = minimalKubeconfig(target);
    const hub = loadKubeConfig({
      ...(o.hubKubeconfig ? { kubeconfig: o.hubKubeconfig } : {}),
      ...(o.hubContext ? { context: o.hubContext } : {}),
    });
    const namespace = hubNamespace(hub, o.namespace);
    const who = await whoAmI(hub);
    const secret = clusterSecret(name, text, { actor: who.username, at: new Date(), namespace });
    const core = hub.makeApiClient(CoreV1Api);
    try {
      await core.createNamespacedSecret({ namespace, body: secret });
    } catch (err) {
      if (!(err instanceof ApiException && err.code === 409)) throw err;
      await core.replaceNamespacedSecret({ namespace, name: secret.metadata.name, body: secret });
    }
    out.log(`cluster/${name} added in namespace ${namespace} (Secret ${clusterSecretName(name)})`);
  } catch (err) {
    if (err instanceof ClusterConfigError || err instanceof CliError) throw cliError(err);
    throw new CliError(`cluster add ${name}: ${apiErrorMessage(err)}`, 1, { cause: err });
  }
}

/** `sluice cluster remove NAME`: deletes the cluster's Secret; stages naming it then show it unknown. */
export async function clusterRemoveCommand(
  name: string,
  o: { kubeconfig?: string; context?: string; namespace?: string },
  out: Output,
): Promise<void> {
  checkClusterName(name);
  const hub = loadKubeConfig(o);
  const namespace = hubNamespace(hub, o.namespace);
  try {
    await hub.makeApiClient(CoreV1Api).deleteNamespacedSecret({ namespace, name: clusterSecretName(name) });
  } catch (err) {
    if (err instanceof ApiException && err.code === 404)
      throw new CliError(`cluster ${name}: not registered in namespace ${namespace}; see sluice cluster list`);
    throw new CliError(`cluster remove ${name}: ${apiErrorMessage(err)}`, 1, { cause: err });
  }
  out.log(`cluster/${name} removed from namespace ${namespace}`);
}

/** One row of `sluice cluster list`: what may be shown, never credentials. */
export interface ClusterListRow {
  name: string;
  server: string;
  reachable: boolean;
  version?: string;
  latencyMs?: number;
  error?: string;
  addedBy?: string;
  addedAt?: string;
}

/**
 * `sluice cluster list`: the clusters registered in the hub namespace, each probed at once (its
 * /version through the stored credentials): reachable, Kubernetes version, round-trip time.
 */
export async function clusterListCommand(
  o: { kubeconfig?: string; context?: string; namespace?: string; output: Format; timeoutMs?: number },
  out: Output,
): Promise<ClusterListRow[]> {
  const hub = loadKubeConfig(o);
  const namespace = hubNamespace(hub, o.namespace);
  let clusters: Awaited<ReturnType<typeof listClusters>>;
  try {
    clusters = await listClusters(hub.makeApiClient(CoreV1Api), namespace);
  } catch (err) {
    throw new CliError(`cluster list: ${apiErrorMessage(err)}`, 1, { cause: err });
  }
  const rows = await Promise.all(
    clusters.map(async ({ entry, kc }): Promise<ClusterListRow> => {
      const { problem, ...shown } = entry;
      if (!kc) return { ...shown, reachable: false, error: problem ?? "unusable Secret" };
      const probe = await probeCluster(kc, o.timeoutMs);
      const row: ClusterListRow = { ...shown, reachable: probe.reachable };
      if (probe.version) row.version = probe.version;
      if (probe.latencyMs !== undefined) row.latencyMs = probe.latencyMs;
      if (probe.error) row.error = probe.error;
      return row;
    }),
  );
  if (printStructured(out, o.output, rows)) return rows;
  if (rows.length === 0) {
    out.log(`no clusters registered in namespace ${namespace}; add one with sluice cluster add NAME --kubeconfig FILE`);
    return rows;
  }
  const now = new Date();
  const wide = o.output === "wide";
  const headers = ["NAME", "SERVER", "REACHABLE", "VERSION", "LATENCY", "AGE", ...(wide ? ["ADDED-BY"] : [])];
  out.log(
    renderTable(
      headers,
      rows.map((r) => [
        r.name,
        r.server || "-",
        r.reachable ? "yes" : `no (${r.error ?? "?"})`,
        r.version ?? "-",
        r.latencyMs !== undefined ? `${Math.round(r.latencyMs)}ms` : "-",
        age(r.addedAt, now),
        ...(wide ? [r.addedBy ?? "-"] : []),
      ]),
    ),
  );
  return rows;
}
