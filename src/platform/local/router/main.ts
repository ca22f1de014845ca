/**
 * The router process: `node --import tsx main.ts --state-dir DIR --listen 127.0.0.1:8080
 * [--metrics-listen 127.0.0.1:9100]`. It resumes with the config saved in DIR, takes new ones on
 * DIR/router.sock, and keeps serving whether or not a controller is running.
 */
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import path from "node:path";
import { parseArgs } from "node:util";
import { createAdminServer } from "./admin.js";
import { closeServer, listenOn } from "./listen.js";
import { loadConfig, saveConfig } from "./persist.js";
import { Router } from "./router.js";

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

function listenUnix(server: Server, socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => {
      server.off("error", reject);
      resolve();
    });
  });
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
  mkdirSync(stateDir, { recursive: true });
  const socketPath = path.join(stateDir, "router.sock");
  const configFile = path.join(stateDir, "router-config.json");
  const pidFile = path.join(stateDir, "router.pid");
  const infoFile = path.join(stateDir, "router.json");

  if (await socketAlive(socketPath)) fail(`a router is already running on ${socketPath}`);
  rmSync(socketPath, { force: true });

  const router = new Router({ log });
  try {
    const saved = loadConfig(configFile);
    if (saved) {
      const { warnings } = await router.apply(saved);
      log("resumed saved config", { generation: saved.generation, warnings });
    }
  } catch (err) {
    log("saved config ignored", { error: (err as Error).message });
  }

  let listen: string;
  try {
    listen = await router.listen(values.listen);
  } catch (err) {
    fail(`cannot listen on ${values.listen}`, err);
  }
  const admin = createAdminServer(router, { persist: (r) => r.config && saveConfig(configFile, r.config) });
  await listenUnix(admin, socketPath).catch((err) => fail(`cannot listen on ${socketPath}`, err));
  chmodSync(socketPath, 0o600);

  let metricsServer: Server | undefined;
  let metricsListen: string | undefined;
  if (values["metrics-listen"]) {
    metricsServer = createServer((req, res) => {
      if (req.url !== "/metrics") {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
      res.end(router.metrics());
    });
    metricsListen = await listenOn(metricsServer, values["metrics-listen"]).catch((err) =>
      fail(`cannot listen on ${values["metrics-listen"]}`, err),
    );
  }

  writeFileSync(pidFile, String(process.pid));
  writeFileSync(
    infoFile,
    `${JSON.stringify({ pid: process.pid, listen, socket: socketPath, metricsListen }, null, 2)}\n`,
  );
  log("router started", { listen, socket: socketPath, metricsListen, generation: router.config?.generation });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log("router stopping", { signal });
    await Promise.all([
      closeServer(admin, 1_000),
      metricsServer ? closeServer(metricsServer, 1_000) : undefined,
      router.close(),
    ]);
    rmSync(socketPath, { force: true });
    rmSync(pidFile, { force: true });
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  // The data plane outlives bugs in one request: log, keep serving the other ones.
  process.on("uncaughtException", (err) => log("uncaught exception", { error: err.stack ?? String(err) }));
  process.on("unhandledRejection", (err) => log("unhandled rejection", { error: String(err) }));
}

void main();
