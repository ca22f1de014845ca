import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { createApi } from "../api/app.js";
import { ApiClient } from "../api/client.js";
import { ClusterControlPlane } from "../platform/kubernetes/cluster-control-plane.js";
import { KubernetesPlatform } from "../platform/kubernetes/kube-platform.js";
import { shareConnections } from "../platform/kubernetes/shared-connections.js";
import { CliError } from "./cli-error.js";
import { loadKubeConfig } from "./kubeconfig.js";
import { resolveStateDir } from "./state-dir.js";
import { VERSION } from "./version.js";

/** Global options every command that talks to a controller accepts. */
export interface ConnectOptions {
  stateDir?: string;
  /** Any of these three means: act on a Kubernetes cluster, as kubectl would. */
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

/** True when the global options point at a cluster rather than the local controller. */
export function isClusterMode(opts: ConnectOptions): boolean {
  return Boolean(opts.kubeconfig || opts.context || opts.namespace);
}

/**
 * Returns an API client for the controller the options name: the local controller, found through
 * its state directory (address and token files), or a Kubernetes cluster, for which the same API
 * runs inside this process on top of the cluster's resources, so every command behaves the same.
 */
export function connect(opts: ConnectOptions): ApiClient {
  if (isClusterMode(opts)) return connectCluster(opts);
  const dir = resolveStateDir(opts.stateDir);
  let url: string;
  let token: string;
  try {
    url = (JSON.parse(readFileSync(path.join(dir, "api.json"), "utf8")) as { url: string }).url;
    // A named token (`sluice token create`) acts with its role; without one, the admin token file.
    token = process.env.SLUICE_TOKEN?.trim() || readFileSync(path.join(dir, "api-token"), "utf8").trim();
  } catch (err) {
    throw new CliError(
      `no Sluice controller found in ${dir} (no api.json or api-token); start one with \`sluice up\` or pass --state-dir`,
      1,
      { cause: err },
    );
  }
  return new ApiClient(url, token);
}

function connectCluster(opts: ConnectOptions): ApiClient {
  let kc: ReturnType<typeof loadKubeConfig>;
  try {
    kc = loadKubeConfig(opts);
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err), 1, { cause: err });
  }
  shareConnections(kc);
  const namespace = opts.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? "default";
  const platform = new KubernetesPlatform({ kc, namespace });
  const control = new ClusterControlPlane(kc, namespace, (rollout) => platform.templates(rollout));
  // The token only guards an API no socket exposes; it exists because the routes require one.
  const token = randomBytes(16).toString("hex");
  const app = createApi({ control, token, version: VERSION });
  const server = kc.getCurrentCluster()?.server ?? "cluster";
  return new ApiClient(server, token, { fetch: async (url, init) => app.request(url, init) });
}
