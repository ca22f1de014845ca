import { readFileSync } from "node:fs";
import path from "node:path";
import { ApiClient } from "../api/client.js";
import { CliError } from "./cli-error.js";
import { resolveStateDir } from "./state-dir.js";

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

let cluster: typeof import("./connect-cluster.js") | undefined;

/**
 * Loads the Kubernetes client and the API that runs over a cluster. Call it before `connect` when
 * {@link isClusterMode}; it is apart so that local commands never pay for loading them.
 */
export async function prepareClusterMode(): Promise<void> {
  cluster ??= await import("./connect-cluster.js");
}

function connectCluster(opts: ConnectOptions): ApiClient {
  if (!cluster) throw new Error("internal: prepareClusterMode() was not awaited before connect()");
  return cluster.connectCluster(opts);
}
