import { randomBytes } from "node:crypto";
import type { Hono } from "hono";
import { createApi } from "../api/app.js";
import { ApiClient } from "../api/client.js";
import { ClusterControlPlane } from "../platform/kubernetes/cluster-control-plane.js";
import { KubernetesPlatform } from "../platform/kubernetes/kube-platform.js";
import { shareConnections } from "../platform/kubernetes/shared-connections.js";
import { CliError } from "./cli-error.js";
import type { ConnectOptions } from "./connect.js";
import { loadKubeConfig } from "./kubeconfig.js";
import { VERSION } from "./version.js";

/**
 * An API client for a cluster: the same API runs inside this process on top of the cluster's Sluice
 * resources, so every command behaves the same. Apart from connect.ts so that local commands never
 * load the Kubernetes client (start-up time).
 */
export function connectCluster(opts: ConnectOptions): ApiClient {
  const { app, token, server } = clusterApi(opts);
  return new ApiClient(server, token, { fetch: async (url, init) => app.request(url, init) });
}

/**
 * The API over a cluster's Sluice resources, acting with the kubeconfig's credentials (so the API
 * server's RBAC decides), and the random token that guards it. `sluice dashboard` serves it.
 */
export function clusterApi(opts: ConnectOptions): { app: Hono; token: string; server: string } {
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
  // Inside the CLI no socket exposes the API, and the token exists because the routes require one;
  // `sluice dashboard` shows it to the one person it serves.
  const token = randomBytes(16).toString("hex");
  const app = createApi({ control, token, version: VERSION });
  return { app, token, server: kc.getCurrentCluster()?.server ?? "cluster" };
}
