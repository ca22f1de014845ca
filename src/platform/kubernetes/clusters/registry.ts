import { type CoreV1Api, type KubeConfig, VersionApi } from "@kubernetes/client-node";
import {
  CLUSTER_NAME_LABEL,
  CLUSTER_SECRET_TYPE,
  CLUSTER_SECRET_TYPE_LABEL,
  type ClusterEntry,
  readClusterSecret,
} from "./cluster-secret.js";

/** How one target answered the hub: reachable with its version and round-trip time, or why not. */
export interface ClusterProbe {
  reachable: boolean;
  /** The target's Kubernetes version (gitVersion), when reachable. */
  version?: string;
  latencyMs?: number;
  /** Why it is unreachable: a short reason without credentials. */
  error?: string;
  /** When the probe finished. */
  at: Date;
}

/** A registered cluster and the hub's client for it (absent when its Secret is unusable). */
export interface RegisteredCluster {
  entry: ClusterEntry;
  kc?: KubeConfig;
}

/** How long a probe waits for a target's /version before calling it unreachable. */
export const DEFAULT_PROBE_TIMEOUT_MS = 3_000;

/** Lists the clusters registered in a hub namespace: Secrets labelled sluice.dev/secret-type=cluster. */
export async function listClusters(core: Pick<CoreV1Api, "listNamespacedSecret">, namespace: string) {
  const list = await core.listNamespacedSecret({
    namespace,
    labelSelector: `${CLUSTER_SECRET_TYPE_LABEL}=${CLUSTER_SECRET_TYPE},${CLUSTER_NAME_LABEL}`,
  });
  const clusters: RegisteredCluster[] = list.items.map((s) => readClusterSecret(s));
  return clusters.sort((a, b) => a.entry.name.localeCompare(b.entry.name));
}

/** Short reason for a failed request: the error's code or first line, never a request body. */
export function probeReason(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown }; message?: unknown };
  const code = e?.code ?? e?.cause?.code;
  if (typeof code === "string") return code;
  if (typeof code === "number") return `HTTP ${code}`;
  const message = String(e?.message ?? err).split("\n")[0] ?? "";
  return message.slice(0, 200);
}

/**
 * Asks a target for its version: reachable means its API server answered, with TLS verified and
 * the hub's credentials accepted, within `timeoutMs`.
 */
export async function probeCluster(kc: KubeConfig, timeoutMs = DEFAULT_PROBE_TIMEOUT_MS): Promise<ClusterProbe> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error("timed out"), { code: "timeout" })), timeoutMs);
  });
  try {
    const version = await Promise.race([kc.makeApiClient(VersionApi).getCode(), timeout]);
    return {
      reachable: true,
      version: version.gitVersion,
      latencyMs: Math.round((performance.now() - started) * 10) / 10,
      at: new Date(),
    };
  } catch (err) {
    return { reachable: false, error: probeReason(err), at: new Date() };
  } finally {
    clearTimeout(timer);
  }
}
