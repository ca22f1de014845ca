import { spawn } from "node:child_process";
import { existsSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { RouterClient } from "../platform/local/router/router-client.js";
import { isAlive, waitUntil } from "./process-util.js";
import { readPid } from "./shutdown.js";

const ROUTER_MAIN = fileURLToPath(new URL("../platform/local/router/main.ts", import.meta.url));

/** The router's listener as it last wrote it (`127.0.0.1:PORT`), or undefined before its first start. */
export function routerListen(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(dir, "router.json"), "utf8")) as { listen: string }).listen;
  } catch {
    return undefined;
  }
}

/**
 * Adopts the router if it answers; otherwise starts a new one, detached so it outlives this
 * process. A router started again keeps the address it had (`router.json`), so clients do not
 * have to learn a new port; `listen` is used for the first start.
 */
export async function ensureRouter(dir: string, listen: string, client: RouterClient): Promise<string> {
  if (await client.healthy()) return `http://${routerListen(dir)}`;
  const previous = existsSync(path.join(dir, "router-config.json")) ? routerListen(dir) : undefined;
  const log = path.join(dir, "logs", "router.log");
  const out = openSync(log, "a");
  const child = spawn(
    process.execPath,
    ["--import", "tsx", ROUTER_MAIN, "--state-dir", dir, "--listen", previous ?? listen],
    { detached: true, stdio: ["ignore", out, out], env: process.env },
  );
  child.unref();
  await waitUntil(() => client.healthy(), 20_000).catch((err) => {
    throw new Error(`the router did not start within 20 s; the reason is in ${log}`, { cause: err });
  });
  return `http://${routerListen(dir)}`;
}

/**
 * Checks the router every `intervalMs` and starts it again if its process is gone. The router
 * reloads its last configuration by itself; `onRestart` lets the controller send a fresh one.
 * Returns the function that stops watching.
 */
export function watchRouter(
  dir: string,
  listen: string,
  client: RouterClient,
  hooks: { onRestart: () => void; onError: (message: string, err: unknown) => void },
  intervalMs = 1_000,
): () => void {
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const pid = readPid(path.join(dir, "router.pid"));
      // A live router that is merely slow to answer is left alone.
      if (pid !== undefined && isAlive(pid)) return;
      await ensureRouter(dir, listen, client);
      hooks.onError("the router was not running; started it again", new Error(`router pid ${pid ?? "?"} is gone`));
      hooks.onRestart();
    } catch (err) {
      hooks.onError("the router is down and could not be started again", err);
    } finally {
      busy = false;
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
