import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { openStore } from "../store/index.js";
import { isAlive, waitUntil } from "./process-util.js";

/**
 * Stops the router and, unless `keepApps`, every recorded replica, without a running controller.
 * Replicas get SIGTERM on their process group, then SIGKILL after 10 s.
 */
export async function stopDataPlane(dir: string, opts: { keepApps: boolean }): Promise<void> {
  const routerPid = readPid(path.join(dir, "router.pid"));
  if (routerPid) await terminate(routerPid, false);
  if (opts.keepApps || !existsSync(path.join(dir, "sluice.db"))) return;
  const store = openStore(dir);
  try {
    const replicas = store.replicas.list();
    await Promise.all(replicas.map((r) => terminate(r.pid, true)));
    for (const r of replicas) store.replicas.remove(r.id);
  } finally {
    store.close();
  }
}

async function terminate(pid: number, group: boolean): Promise<void> {
  if (!isAlive(pid)) return;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(group ? -pid : pid, sig);
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
