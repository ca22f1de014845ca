/**
 * The router process: `node --import tsx main.ts --state-dir DIR --listen 127.0.0.1:8080
 * [--metrics-listen 127.0.0.1:9100]`. It resumes with the config saved in DIR, takes new ones on
 * DIR/router.sock, and keeps serving whether or not a controller is running.
 *
 * This file is the router's primary and stays small (Node built-ins only) so it starts fast and
 * has nothing to crash on: it binds the listeners and runs one worker (worker.ts) that accepts on
 * them and does all the work. When the worker dies the primary starts another at once; the
 * listening sockets stay open meanwhile, so connections wait in the kernel's backlog instead of
 * being refused. The primary's pid is the router's pid (router.pid); router.json also names the
 * worker's.
 */
import { type ChildProcess, fork } from "node:child_process";
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type BoundHandle, bindTcp, bindUnix, type ListenerRole, type ToPrimary, type ToWorker } from "./handles.js";
import { CrashLoopBackoff } from "./worker-restart.js";

const STOP_GRACE_MS = 10_000;

// Same extension as this file: worker.ts under tsx, worker.mjs from the precompiled bundle.
const WORKER = fileURLToPath(new URL(`./worker${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url));

function log(message: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), msg: message, ...fields })}\n`);
}

function fail(message: string, err?: unknown): never {
  log(message, err ? { error: String((err as Error).message ?? err) } : {});
  process.exit(1);
}

/** True if something answers on the unix socket: another router owns this state dir. */
function socketAlive(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(socketPath);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** Readers never see half a file. Owner-only, like the rest of the state directory. */
function writePrivately(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "state-dir": { type: "string" },
      listen: { type: "string", default: "127.0.0.1:8080" },
      "metrics-listen": { type: "string" },
    },
  });
  const stateDir = values["state-dir"];
  if (!stateDir) fail("--state-dir is required");
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const socket = path.join(stateDir, "router.sock");
  const pidFile = path.join(stateDir, "router.pid");
  const infoFile = path.join(stateDir, "router.json");

  if (await socketAlive(socket)) fail(`a router is already running on ${socket}`);
  rmSync(socket, { force: true });

  const handles = new Map<ListenerRole, BoundHandle>();
  let listen = values.listen;
  let metricsListen = values["metrics-listen"];
  try {
    const main = bindTcp(listen);
    handles.set("main", main.handle);
    listen = main.bound;
    handles.set("admin", bindUnix(socket));
    chmodSync(socket, 0o600);
    if (metricsListen) {
      const metrics = bindTcp(metricsListen);
      handles.set("metrics", metrics.handle);
      metricsListen = metrics.bound;
    }
  } catch (err) {
    fail(`cannot listen on ${(err as { address?: string }).address || listen}`, err);
  }
  const start: ToWorker = { type: "start", stateDir, listen, socket, ...(metricsListen ? { metricsListen } : {}) };

  let worker: ChildProcess | undefined;
  let served = false;
  let stopping = false;
  const backoff = new CrashLoopBackoff();
  const run = () => {
    if (stopping) return;
    const startedAt = Date.now();
    const child = fork(WORKER, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    worker = child;
    for (const [role, handle] of handles) child.send({ type: "handle", role } satisfies ToWorker, handle as never);
    child.send(start);
    child.on("message", (message: ToPrimary) => {
      if (message.type !== "ready") return;
      writePrivately(pidFile, String(process.pid));
      writePrivately(
        infoFile,
        `${JSON.stringify({ pid: process.pid, workerPid: child.pid, listen: message.listen, socket, metricsListen: message.metricsListen }, null, 2)}\n`,
      );
      if (!served) log("router started", { listen: message.listen, socket, metricsListen, worker: child.pid });
      served = true;
    });
    child.once("exit", (code, signal) => {
      if (stopping) return;
      // The worker logged its reason (a port in use, say); the router did not start.
      if (!served) process.exit(code || 1);
      const delay = backoff.next(Date.now() - startedAt);
      log("router worker died; starting another", { code, signal, worker: child.pid, delayMs: delay });
      setTimeout(run, delay);
    });
  };
  run();

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log("router stopping", { signal });
    const child = worker;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    for (const handle of handles.values()) handle.close();
    rmSync(socket, { force: true });
    rmSync(pidFile, { force: true });
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

void main();
