import { randomBytes } from "node:crypto";
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
