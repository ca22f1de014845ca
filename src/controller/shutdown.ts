import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { terminateGroup } from "../platform/local/supervisor/process-group.js";
import { openStore } from "../store/index.js";
import { isAlive, waitUntil } from "./process-util.js";

/**
 * Stops the router and, unless `keepApps`, every recorded replica, without a running controller.
 * Replicas get SIGTERM on their process group, then SIGKILL after 10 s.
 */
export async function stopDataPlane(dir: string, opts: { keepApps: boolean }): Promise<void> {
  await terminateProcess(readPid(path.join(dir, "router.pid")));
  if (opts.keepApps || !existsSync(path.join(dir, "sluice.db"))) return;
  const store = openStore(dir);
  try {
    const replicas = store.replicas.list();
    // The recorded start time guards against signalling a process that reused a replica's pid.
    await Promise.all(replicas.map((r) => terminateGroup(r.pid, r.startTime, 10_000)));
    for (const r of replicas) store.replicas.remove(r.id);
  } finally {
    store.close();
  }
}

/** SIGTERM, then SIGKILL after 10 s, to one process (the router); nothing when there is none. */
export async function terminateProcess(pid: number | undefined): Promise<void> {
  if (pid === undefined || !isAlive(pid)) return;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  };
  signal("SIGTERM");
  await waitUntil(() => !isAlive(pid), 10_000).catch(() => signal("SIGKILL"));
}

/** Reads a pid file; undefined when it is missing or garbled. */
export function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8"));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
