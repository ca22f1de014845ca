import { readFileSync } from "node:fs";
import path from "node:path";
import { serveApi } from "../../api/serve.js";
import { CliError } from "../cli-error.js";
import type { ConnectOptions } from "../connect.js";
import { isClusterMode } from "../connect.js";
import type { Output } from "../output.js";
import { resolveStateDir } from "../state-dir.js";

export interface DashboardOptions extends ConnectOptions {
  /** Where the dashboard listens in cluster mode (default 127.0.0.1 and a free port). */
  listen?: string;
  /** Stops serving (tests); without it, serving lasts until Ctrl-C. */
  signal?: AbortSignal;
}

/**
 * Says where the dashboard is. Locally, `sluice up` already serves it: this prints its address and
 * how to sign in. On a cluster (`--context`, `--kubeconfig`, `-n`), it serves the dashboard on
 * 127.0.0.1 over the cluster's resources with the user's own kube credentials, so Kubernetes RBAC
 * decides what they may do, until Ctrl-C.
 */
export async function dashboardCommand(opts: DashboardOptions, out: Output): Promise<void> {
  if (!isClusterMode(opts)) {
    const dir = resolveStateDir(opts.stateDir);
    let url: string;
    try {
      url = (JSON.parse(readFileSync(path.join(dir, "api.json"), "utf8")) as { url: string }).url;
    } catch (err) {
      throw new CliError(`no Sluice controller found in ${dir} (no api.json); start one with \`sluice up\``, 1, {
        cause: err,
      });
    }
    out.log(`Dashboard: ${url}/dashboard/`);
    out.log(
      `Sign in with a named token (\`sluice token create NAME --role viewer\`) or the token in ${path.join(dir, "api-token")}.`,
    );
    return;
  }
  const { clusterApi } = await import("../connect-cluster.js");
  const { app, token, server } = clusterApi(opts);
  const { host, port } = splitListen(opts.listen ?? "127.0.0.1:0");
  const served = await serveApi(app, { host, port });
  out.log(`Dashboard for ${server}: ${served.url}/dashboard/`);
  out.log(`Sign in with this token (valid while this command runs): ${token}`);
  out.log("Requests act with your kubeconfig's credentials; Kubernetes RBAC decides what you may do. Ctrl-C stops.");
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    opts.signal?.addEventListener("abort", stop, { once: true });
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await served.close();
}

/** `HOST:PORT` as bind options. @throws CliError naming --listen for anything else. */
export function splitListen(listen: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(listen);
  const port = Number(m?.[2]);
  if (!m || port > 65535)
    throw new CliError(
      `--listen must be HOST:PORT such as 127.0.0.1:8765, got ${JSON.stringify(listen.slice(0, 100))}`,
      2,
    );
  return { host: (m[1] ?? "").replace(/^\[|\]$/g, ""), port };
}
