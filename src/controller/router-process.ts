import { spawn } from "node:child_process";
import { closeSync, existsSync, fstatSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import type { RouterClient } from "../platform/local/router/router-client.js";
import { isAlive, waitUntil } from "./process-util.js";
import { routerCommand } from "./router-bundle.js";
import { readPid } from "./shutdown.js";

/** The router's listener as it last wrote it (`127.0.0.1:PORT`), or undefined before its first start. */
export function routerListen(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(dir, "router.json"), "utf8")) as { listen: string }).listen;
  } catch {
    return undefined;
  }
}

/** The router process could not be started; the message says why and what to do. */
export class RouterStartError extends Error {
  override readonly name = "RouterStartError";
  constructor(
    message: string,
    /** The address the router was asked to listen on. */
    readonly listen: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Adopts the router if it answers; otherwise starts a new one, detached so it outlives this
 * process. A router started again keeps the address it had (`router.json`), so clients do not
 * have to learn a new port; `listen` is used for the first start.
 *
 * @throws RouterStartError as soon as the new router exits (its port is taken, say), with the
 *   reason from its log, or when it does not answer within 20 s.
 */
export async function ensureRouter(dir: string, listen: string, client: RouterClient): Promise<string> {
  if (await client.healthy()) return `http://${routerListen(dir)}`;
  const previous = existsSync(path.join(dir, "router-config.json")) ? routerListen(dir) : undefined;
  const address = previous ?? listen;
  const log = path.join(dir, "logs", "router.log");
  const command = await routerCommand();
  const out = openSync(log, "a", 0o600);
  const logStart = fstatSync(out).size;
  const child = spawn(process.execPath, [...command, "--state-dir", dir, "--listen", address], {
    detached: true,
    stdio: ["ignore", out, out],
    env: process.env,
  });
  closeSync(out);
  child.unref();
  let exited: number | null | undefined;
  child.once("exit", (code) => {
    exited = code;
  });
  // router.json is written just after the admin socket answers: wait for both.
  const up = async () => (await client.healthy()) && routerListen(dir) !== undefined;
  await waitUntil(async () => exited !== undefined || (await up()), 20_000).catch((err) => {
    throw new RouterStartError(`the router did not start within 20 s; the reason is in ${log}`, address, {
      cause: err,
    });
  });
  if (exited !== undefined && !(await up()))
    throw startFailure(readFrom(log, logStart), address, previous !== undefined, dir, log);
  return `http://${routerListen(dir)}`;
}

/** What a router that exited at start wrote to its log, as one line with advice. */
export function startFailure(
  logText: string,
  address: string,
  kept: boolean,
  dir: string,
  log: string,
): RouterStartError {
  const lines = logText
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      try {
        return JSON.parse(l) as { msg?: string; error?: string };
      } catch {
        return { msg: l };
      }
    });
  const last = lines.at(-1);
  const reason = last ? [last.msg, last.error].filter(Boolean).join(": ") : "it logged no reason";
  if (/EADDRINUSE/.test(logText)) {
    const advice = kept
      ? `it is the address the router had before, which sluice keeps so clients need not learn a new port; free it, or delete ${path.join(dir, "router.json")} to use --listen`
      : "free the port, or choose another with --listen HOST:PORT (port 0 picks a free one)";
    return new RouterStartError(
      `the router cannot listen on ${address}: the address is already in use; ${advice}`,
      address,
    );
  }
  return new RouterStartError(`the router exited at start: ${reason} (log: ${log})`, address);
}

function readFrom(file: string, offset: number): string {
  try {
    return readFileSync(file).subarray(offset).toString("utf8");
  } catch {
    return "";
  }
}

/**
 * Checks the router every `intervalMs` and starts it again if its process is gone. The router
 * reloads its last configuration by itself; `onRestart` lets the controller send a fresh one.
 * Returns the function that stops watching.
 *
 * The check is one kill(pid, 0), so it runs often: while no router runs, its port refuses
 * connections. (A crash of the router's worker never gets here: the router's own primary starts
 * another at once and its port stays open.) The router's bundle is built now, so a restart does
 * not wait for it.
 */
export function watchRouter(
  dir: string,
  listen: string,
  client: RouterClient,
  hooks: { onRestart: () => void; onError: (message: string, err: unknown) => void },
  intervalMs = 100,
): () => void {
  void routerCommand();
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
