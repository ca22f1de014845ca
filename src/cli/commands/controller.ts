import { hostname } from "node:os";
import { type KubeRuntime, startKubeRuntime } from "../../controller/kube-runtime.js";
import { createLogger, LogOptionError } from "../../controller/log.js";
import { splitHostPort } from "../../platform/local/router/validate.js";
import { CliError } from "../cli-error.js";
import { loadKubeConfig } from "../kubeconfig.js";
import type { Output } from "../output.js";

export interface ControllerCommandOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  leaderElect: boolean;
  leaseNamespace?: string;
  leaseName: string;
  identity?: string;
  leaseDuration: string;
  renewDeadline: string;
  retryPeriod: string;
  metricsListen: string;
  concurrentReconciles: string;
  /** Run command metrics without an image inside the controller (its service account, its pod). */
  allowLocalCommands?: boolean;
  /** json or text; unset: JSON unless stderr is a terminal. */
  logFormat?: string;
  logLevel?: string;
}

/**
 * `sluice controller`: the Kubernetes controller. Runs until SIGINT/SIGTERM, then gives up its
 * Lease so a standby takes over at once instead of after the lease expires, and resolves. It writes
 * through the controller logger (stderr, JSON off a terminal), not `_out`.
 */
export async function controllerCommand(opts: ControllerCommandOptions, _out: Output): Promise<KubeRuntime> {
  let logger: ReturnType<typeof createLogger>;
  try {
    logger = createLogger({
      ...(opts.logFormat ? { format: opts.logFormat } : {}),
      ...(opts.logLevel ? { level: opts.logLevel } : {}),
    });
  } catch (err) {
    if (err instanceof LogOptionError) throw new CliError(`sluice controller: ${err.message}`, 1, { cause: err });
    throw err;
  }
  const kc = loadKubeConfig(opts);
  const { host, port } = splitHostPort(opts.metricsListen, "--metrics-listen");
  const identity = opts.identity ?? process.env.POD_NAME ?? `${hostname()}-${process.pid}`;
  const leaseNamespace = opts.leaseNamespace ?? process.env.POD_NAMESPACE ?? opts.namespace ?? "default";
  const runtime = await startKubeRuntime({
    kc,
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    identity,
    ...(opts.leaderElect
      ? {
          leaderElection: {
            namespace: leaseNamespace,
            name: opts.leaseName,
            leaseDurationSeconds: seconds("--lease-duration", opts.leaseDuration),
            renewDeadlineSeconds: seconds("--renew-deadline", opts.renewDeadline),
            retryPeriodSeconds: seconds("--retry-period", opts.retryPeriod),
          },
        }
      : {}),
    metricsListen: { host, port },
    concurrentReconciles: count("--concurrent-reconciles", opts.concurrentReconciles),
    allowLocalCommands: opts.allowLocalCommands === true,
    log: (message) => logger.info(message),
  });
  logger.info(
    `sluice controller ${identity}: ${opts.namespace ? `namespace ${opts.namespace}` : "all namespaces"}, ` +
      `cluster ${kc.getCurrentCluster()?.server}, metrics ${runtime.metricsUrl}/metrics` +
      (opts.leaderElect ? `, lease ${leaseNamespace}/${opts.leaseName}` : ", no leader election") +
      (opts.allowLocalCommands ? ", command metrics without an image run inside the controller" : ""),
  );
  // Resolves only once the controller has stopped: the command runs until SIGINT or SIGTERM.
  await new Promise<void>((resolve) => {
    const stop = () => {
      logger.info("stopping: releasing the lease");
      runtime.stop().then(
        () => resolve(),
        () => {
          process.exitCode = 1;
          resolve();
        },
      );
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return runtime;
}

/** A flag's whole number in 1..64, or an error naming the flag. */
export function count(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new Error(`${flag} ${value}: expected a whole number from 1 to 64`);
  return n;
}

/** A flag's positive number of seconds, or an error naming the flag. */
export function seconds(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} ${value}: expected a positive number of seconds`);
  return n;
}
