import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";
import type { ProcessTemplate } from "../../../model/workload.js";
import { appendSupervisorLine } from "./logs.js";

/** Who a replica process is, for its environment. */
export interface ReplicaIdentity {
  rollout: string;
  revision: string;
  index: number;
}

/**
 * A replica's environment: only PATH and HOME are inherited, so replicas do not pick up the
 * controller's settings; then SLUICE_ROLLOUT/REVISION/REPLICA, the template's env, and the port,
 * which always wins.
 */
export function replicaEnv(
  template: ProcessTemplate,
  port: number,
  who: ReplicaIdentity,
  inherited: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME"]) {
    const value = inherited[name];
    if (value !== undefined) env[name] = value;
  }
  env.SLUICE_ROLLOUT = who.rollout;
  env.SLUICE_REVISION = who.revision;
  env.SLUICE_REPLICA = String(who.index);
  for (const { name, value } of template.env) env[name] = value;
  env[template.portEnv] = String(port);
  return env;
}

/**
 * Starts a replica process that outlives the controller: detached into its own process group,
 * stdout and stderr appended to `logFile`, cwd resolved against the controller's. Throws when the
 * log cannot be opened; a missing command shows up as the child's "error" event with no pid.
 */
export function spawnReplica(
  template: ProcessTemplate,
  port: number,
  who: ReplicaIdentity,
  logFile: string,
): ChildProcess {
  mkdirSync(path.dirname(logFile), { recursive: true });
  appendSupervisorLine(
    logFile,
    `starting replica ${who.index} on port ${port}: ${[template.command, ...template.args].join(" ")}`,
  );
  const fd = openSync(logFile, "a", 0o600);
  try {
    return spawn(template.command, template.args, {
      cwd: path.resolve(template.cwd ?? "."),
      env: replicaEnv(template, port, who),
      detached: true,
      stdio: ["ignore", fd, fd],
    });
  } finally {
    // The child has its own copy of the descriptor.
    closeSync(fd);
  }
}
