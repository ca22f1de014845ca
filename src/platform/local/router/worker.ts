/**
 * The router's worker: the process that serves traffic. Its primary (main.ts) binds the listeners
 * and hands them over; the worker resumes the config saved in the state directory, then listens
 * and accepts on them, takes new configs on the admin socket, and reports back once it serves.
 * When the primary goes away the worker stops accepting at once (freeing the port for the next
 * router) and lets requests in flight finish.
 */
import { createServer, type Server } from "node:http";
import path from "node:path";
import { loadSecret } from "../../../load/label.js";
import { createAdminServer } from "./admin.js";
import { type BoundHandle, listenOnHandle, type ToPrimary, type ToWorker } from "./handles.js";
import { closeServer } from "./listen.js";
import { loadConfig, saveConfig } from "./persist.js";
import { Router } from "./router.js";

function log(message: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), msg: message, ...fields })}\n`);
}

function fail(message: string, err?: unknown): never {
  log(message, err ? { error: String((err as Error).message ?? err) } : {});
  process.exit(1);
}

function send(message: ToPrimary): void {
  process.send?.(message);
}

async function serve(start: Extract<ToWorker, { type: "start" }>, handles: Map<string, BoundHandle>): Promise<void> {
  const configFile = path.join(start.stateDir, "router-config.json");
  const router = new Router({ log, loadSecret: loadSecret(start.stateDir) });
  // The saved config is in force before the first request is accepted: connections that queued
  // while no worker ran are routed as before, not answered 404.
  try {
    const saved = loadConfig(configFile);
    if (saved) {
      const { warnings } = await router.apply(saved);
      log("resumed saved config", { generation: saved.generation, warnings });
    }
  } catch (err) {
    log("saved config ignored", { error: (err as Error).message });
  }

  const main = handles.get("main");
  const adminHandle = handles.get("admin");
  if (!main || !adminHandle) fail("the router's primary handed over no listener");
  const listen = await router.listen(main).catch((err) => fail(`cannot listen on ${start.listen}`, err));
  const admin = createAdminServer(router, { persist: (r) => r.config && saveConfig(configFile, r.config) });
  await listenOnHandle(admin, adminHandle).catch((err) => fail(`cannot listen on ${start.socket}`, err));

  let metricsServer: Server | undefined;
  let metricsListen: string | undefined;
  const metricsHandle = handles.get("metrics");
  if (metricsHandle) {
    metricsServer = createServer((req, res) => {
      if (req.url !== "/metrics") {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
      res.end(router.metrics());
    });
    metricsListen = await listenOnHandle(metricsServer, metricsHandle).catch((err) =>
      fail(`cannot listen on ${start.metricsListen}`, err),
    );
  }
  send({ type: "ready", listen, ...(metricsListen ? { metricsListen } : {}) });
  log("router worker serving", { listen, generation: router.config?.generation });

  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log("router worker stopping", { why });
    await Promise.all([
      closeServer(admin, 1_000),
      metricsServer ? closeServer(metricsServer, 1_000) : undefined,
      router.close(),
    ]);
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  // The primary was killed: a new router will bind the same port, so stop accepting now.
  process.on("disconnect", () => void stop("the router's primary is gone"));
  if (!process.connected) void stop("the router's primary is gone");
}

function main(): void {
  if (!process.send) fail("the router worker is started by the router (main.ts), not on its own");
  const handles = new Map<string, BoundHandle>();
  process.on("message", (message: ToWorker, handle?: BoundHandle) => {
    if (message.type === "handle" && handle) handles.set(message.role, handle);
    if (message.type === "start") void serve(message, handles);
  });
  // A primary that died before handing anything over leaves nothing to serve.
  process.once("disconnect", () => {
    if (handles.size === 0) process.exit(0);
  });
  // The data plane outlives bugs in one request: log, keep serving the other ones.
  process.on("uncaughtException", (err) => log("uncaught exception", { error: err.stack ?? String(err) }));
  process.on("unhandledRejection", (err) => log("unhandled rejection", { error: String(err) }));
}

main();
