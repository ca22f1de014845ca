import { readFileSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import { ClusterName } from "../../../model/pipeline.js";

/** Label marking a hub Secret as a registered target cluster (as Argo CD marks its cluster Secrets). */
export const CLUSTER_SECRET_TYPE_LABEL = "sluice.dev/secret-type";
export const CLUSTER_SECRET_TYPE = "cluster";
/** Label holding the name stages use in `cluster:`. */
export const CLUSTER_NAME_LABEL = "sluice.dev/cluster";
/** Who added the cluster and when (annotations), so a registration is attributable. */
export const ADDED_BY_ANNOTATION = "sluice.dev/added-by";
export const ADDED_AT_ANNOTATION = "sluice.dev/added-at";
/** The Secret's data key holding the target's kubeconfig. */
export const KUBECONFIG_KEY = "kubeconfig";
/** A kubeconfig with one context, inlined certificates and a token stays far below this. */
export const MAX_KUBECONFIG_BYTES = 64 * 1024;

/** A cluster Secret or kubeconfig that cannot be used; the message names the cluster and what to do. */
export class ClusterConfigError extends Error {
  override readonly name = "ClusterConfigError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The Secret's name for a cluster: one per cluster name in the namespace. */
export function clusterSecretName(cluster: string): string {
  return `sluice-cluster-${cluster}`;
}

/** Checks a cluster's name as stages spell it (a DNS label). */
export function checkClusterName(name: string): void {
  const parsed = ClusterName.safeParse(name);
  if (!parsed.success)
    throw new ClusterConfigError(
      `cluster name ${JSON.stringify(name.slice(0, 80))}: ${parsed.error.issues[0]?.message ?? "invalid"} (at most 40 characters)`,
    );
}

interface MinimalCluster {
  server: string;
  caData?: string;
}
interface MinimalUser {
  token?: string;
  certData?: string;
  keyData?: string;
}

function inline(data: string | undefined, file: string | undefined, what: string): string | undefined {
  if (data) return data;
  if (!file) return undefined;
  try {
    return readFileSync(file).toString("base64");
  } catch (err) {
    throw new ClusterConfigError(`${what} file ${file} cannot be read: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Reduces a kubeconfig to the one context the hub uses for a target, with certificates inlined, as
 * YAML-compatible JSON. Refuses what the hub cannot or must not use: exec and auth-provider plugins
 * (they would run commands inside the hub's controller), TLS verification turned off, no credentials.
 */
export function minimalKubeconfig(kc: KubeConfig, contextName?: string): string {
  const name = contextName ?? kc.getCurrentContext();
  const context = kc.getContextObject(name);
  if (!context) throw new ClusterConfigError(`context ${name}: not in the kubeconfig; see kubectl config get-contexts`);
  const cluster = kc.getCluster(context.cluster);
  const user = kc.getUser(context.user);
  if (!cluster?.server) throw new ClusterConfigError(`context ${name}: its cluster has no server`);
  if (!cluster.server.startsWith("https://"))
    throw new ClusterConfigError(`context ${name}: server ${cluster.server} is not https; the hub only speaks TLS`);
  if (cluster.skipTLSVerify)
    throw new ClusterConfigError(`context ${name}: insecure-skip-tls-verify is set; give the server's CA instead`);
  if (!user) throw new ClusterConfigError(`context ${name}: no user`);
  if (user.exec || user.authProvider)
    throw new ClusterConfigError(
      `context ${name}: user ${user.name} uses an exec or auth-provider plugin, which the hub will not run; use a ServiceAccount token or a client certificate`,
    );
  const c: MinimalCluster = { server: cluster.server };
  const ca = inline(cluster.caData, cluster.caFile, "certificate-authority");
  if (ca) c.caData = ca;
  const u: MinimalUser = {};
  if (user.token) u.token = user.token;
  const cert = inline(user.certData, user.certFile, "client-certificate");
  const key = inline(user.keyData, user.keyFile, "client-key");
  if (cert && key) {
    u.certData = cert;
    u.keyData = key;
  }
  if (!u.token && !u.certData)
    throw new ClusterConfigError(`context ${name}: user ${user.name} has neither a token nor a client certificate`);
  const doc = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "target",
        cluster: { server: c.server, ...(c.caData ? { "certificate-authority-data": c.caData } : {}) },
      },
    ],
    users: [
      {
        name: "hub",
        user: {
          ...(u.token ? { token: u.token } : {}),
          ...(u.certData ? { "client-certificate-data": u.certData, "client-key-data": u.keyData } : {}),
        },
      },
    ],
    contexts: [{ name: "target", context: { cluster: "target", user: "hub" } }],
    "current-context": "target",
  };
  const text = JSON.stringify(doc);
  if (text.length > MAX_KUBECONFIG_BYTES)
    throw new ClusterConfigError(`context ${name}: the kubeconfig is larger than ${MAX_KUBECONFIG_BYTES} bytes`);
  return text;
}

/** The Secret `sluice cluster add` stores in the hub: labelled, attributed, the kubeconfig in data. */
export function clusterSecret(
  cluster: string,
  kubeconfig: string,
  by: { actor: string; at: Date; namespace: string },
): {
  apiVersion: "v1";
  kind: "Secret";
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  type: string;
  data: Record<string, string>;
} {
  checkClusterName(cluster);
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: clusterSecretName(cluster),
      namespace: by.namespace,
      labels: { [CLUSTER_SECRET_TYPE_LABEL]: CLUSTER_SECRET_TYPE, [CLUSTER_NAME_LABEL]: cluster },
      annotations: { [ADDED_BY_ANNOTATION]: by.actor.slice(0, 253), [ADDED_AT_ANNOTATION]: by.at.toISOString() },
    },
    type: "Opaque",
    data: { [KUBECONFIG_KEY]: Buffer.from(kubeconfig).toString("base64") },
  };
}

/** What may be shown of a registered cluster: never the kubeconfig's credentials. */
export interface ClusterEntry {
  name: string;
  server: string;
  addedBy?: string;
  addedAt?: string;
  /** Set when the Secret cannot be used; the cluster then counts as unreachable. */
  problem?: string;
}

/** The parts of a Secret a cluster entry is read from. */
export interface SecretLike {
  metadata?: {
    name?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  data?: Record<string, string>;
}

/**
 * Reads a cluster Secret: its entry for display, and a KubeConfig for the hub's client unless the
 * Secret is unusable. Errors name the Secret, never quote its contents.
 */
export function readClusterSecret(secret: SecretLike): { entry: ClusterEntry; kc?: KubeConfig } {
  const name = secret.metadata?.labels?.[CLUSTER_NAME_LABEL] ?? secret.metadata?.name ?? "?";
  const annotations = secret.metadata?.annotations ?? {};
  const entry: ClusterEntry = { name, server: "" };
  if (annotations[ADDED_BY_ANNOTATION]) entry.addedBy = annotations[ADDED_BY_ANNOTATION];
  if (annotations[ADDED_AT_ANNOTATION]) entry.addedAt = annotations[ADDED_AT_ANNOTATION];
  const where = `Secret ${secret.metadata?.name ?? "?"}`;
  const raw = secret.data?.[KUBECONFIG_KEY];
  if (!raw) return { entry: { ...entry, problem: `${where} has no data.${KUBECONFIG_KEY}` } };
  if (raw.length > (MAX_KUBECONFIG_BYTES * 4) / 3 + 4)
    return { entry: { ...entry, problem: `${where}: kubeconfig larger than ${MAX_KUBECONFIG_BYTES} bytes` } };
  try {
    const kc = new KubeConfig();
    kc.loadFromString(Buffer.from(raw, "base64").toString("utf8"));
    // Re-check what `cluster add` checks: the Secret may have been written by hand.
    const text = minimalKubeconfig(kc);
    const clean = new KubeConfig();
    clean.loadFromString(text);
    entry.server = clean.getCurrentCluster()?.server ?? "";
    return { entry, kc: clean };
  } catch (err) {
    // The loader's messages can quote the document; say only which Secret and what kind of problem.
    const detail = err instanceof ClusterConfigError ? err.message : "not a kubeconfig";
    return { entry: { ...entry, problem: `${where}: ${detail}` } };
  }
}
