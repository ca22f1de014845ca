import { rmSync } from "node:fs";
import path from "node:path";
import { isAlive, waitUntil } from "../../controller/process-util.js";
import { readPid, stopDataPlane } from "../../controller/shutdown.js";
import type { Output } from "../output.js";
import { resolveStateDir } from "../state-dir.js";

/**
 * `sluice down`: stops the controller, the router and (unless --keep-apps) every replica. Works
 * when the controller is already gone: the router and replicas are found through their pid files
 * and the store.
 */
export async function downCommand(opts: { stateDir?: string; keepApps?: boolean }, out: Output): Promise<void> {
  const dir = resolveStateDir(opts.stateDir);
  const controllerPid = readPid(path.join(dir, "controller.pid"));
  if (controllerPid && isAlive(controllerPid)) {
    // SIGINT makes a running controller stop everything itself, draining replicas first.
    process.kill(controllerPid, opts.keepApps ? "SIGTERM" : "SIGINT");
    await waitUntil(() => !isAlive(controllerPid), 60_000).catch(() => process.kill(controllerPid, "SIGKILL"));
  }
  // Whatever the controller left behind (it was killed, or never ran): stop it by pid.
  await stopDataPlane(dir, { keepApps: opts.keepApps ?? false });
  rmSync(path.join(dir, "controller.pid"), { force: true });
  rmSync(path.join(dir, "api.json"), { force: true });
  out.log(`sluice stopped (state ${dir})${opts.keepApps ? "; replicas left running" : ""}`);
}
