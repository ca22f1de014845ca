import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Pool } from "undici";
import type { RolloutRoute, RouterConfig } from "../../src/platform/local/router/config.js";
import { RouterClient } from "../../src/platform/local/router/router-client.js";
import { waitFor } from "../helpers/wait.js";

const MAIN = fileURLToPath(new URL("../../src/platform/local/router/main.ts", import.meta.url));

/** A router child process started by a test. */
export interface RouterProcess {
  stateDir: string;
  client: RouterClient;
  /** `http://127.0.0.1:PORT` of the main listener. */
  url: string;
  child: ChildProcess;
  /** Sends SIGTERM and waits for the process to exit. */
  stop(): Promise<void>;
}

/** Starts the router as its own process on an ephemeral port, as the controller does. */
export async function startRouter(opts: { stateDir?: string; extraArgs?: string[] } = {}): Promise<RouterProcess> {
  const stateDir = opts.stateDir ?? mkdtempSync(path.join(tmpdir(), "sluice-router-"));
  const child = spawn(
    process.execPath,
    ["--import", "tsx", MAIN, "--state-dir", stateDir, "--listen", "127.0.0.1:0", ...(opts.extraArgs ?? [])],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (c) => {
    stderr += c;
    if (process.env.SLUICE_ROUTER_LOG) process.stderr.write(c);
  });
  const info = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`router exited: ${stderr}`);
      const file = path.join(stateDir, "router.json");
      if (!existsSync(file)) return undefined;
      const parsed = JSON.parse(readFileSync(file, "utf8")) as { pid: number; listen: string };
      return parsed.pid === child.pid ? parsed : undefined;
    },
    { timeoutMs: 30_000, message: "router start" },
  ).catch((err) => {
    child.kill("SIGKILL");
    throw new Error(`router did not start: ${stderr}`, { cause: err });
  });
  const client = new RouterClient(path.join(stateDir, "router.sock"));
  await waitFor(() => client.healthy(), { timeoutMs: 10_000, message: "router healthy" });
  return {
    stateDir,
    client,
    url: `http://${info.listen}`,
    child,
    async stop() {
      if (!client.closed) await client.close();
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** A tiny backend in the test process that answers with its name and counts what it saw. */
export interface Backend {
  name: string;
  endpoint: string;
  server: Server;
  requests: IncomingMessage[];
  /** Requests that carried `x-sluice-mirror`. */
  mirrored: number;
  close(): Promise<void>;
}

/**
 * Starts a backend on 127.0.0.1:0. By default it answers 200 with its name; `handler` replaces that
 * (after counting).
 */
export async function startBackend(
  name: string,
  handler?: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Backend> {
  const backend = { name, requests: [] as IncomingMessage[], mirrored: 0 } as Backend;
  const server = createServer((req, res) => {
    backend.requests.push(req);
    if (req.headers["x-sluice-mirror"]) backend.mirrored++;
    if (handler) return handler(req, res);
    req.resume();
    req.on("end", () => res.end(name));
  });
  const sockets = new Set<import("node:net").Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  backend.server = server;
  backend.endpoint = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  backend.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Upgraded sockets are no longer the HTTP server's to close.
      for (const socket of sockets) socket.destroy();
    });
  return backend;
}

/** A route with one endpoint list per revision and the given weights. */
export function route(
  rollout: string,
  backends: Record<string, string[]>,
  weights: Record<string, number>,
  extra: Partial<RolloutRoute> = {},
): RolloutRoute {
  return {
    rollout,
    hosts: [rollout],
    backends: Object.entries(backends).map(([revision, endpoints]) => ({ revision, endpoints })),
    ...extra,
    traffic: { weights, headerRoutes: [], mirrorRoutes: [], ...extra.traffic },
  };
}

/** A config of the given generation. */
export function config(generation: number, ...rollouts: RolloutRoute[]): RouterConfig {
  return { generation, rollouts };
}

/** Answer of one request through the router. */
export interface Answer {
  status: number;
  body: string;
  revision: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

/** Sends `count` requests, `concurrency` at a time, on keep-alive connections; returns every answer. */
export async function load(
  url: string,
  count: number,
  opts: { concurrency?: number; path?: string; headers?: Record<string, string>; method?: "GET" | "POST" } = {},
): Promise<Answer[]> {
  const pool = new Pool(url, { connections: opts.concurrency ?? 16 });
  const answers: Answer[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      answers.push(await send(pool, opts));
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.concurrency ?? 16 }, worker));
  } finally {
    await pool.close();
  }
  return answers;
}

/** Sends one request on a pool (or a fresh connection to a URL). */
export async function send(
  target: Pool | string,
  opts: { path?: string; headers?: Record<string, string>; method?: "GET" | "POST"; body?: string } = {},
): Promise<Answer> {
  const pool = typeof target === "string" ? new Pool(target) : target;
  try {
    const res = await pool.request({
      path: opts.path ?? "/",
      method: opts.method ?? "GET",
      headers: opts.headers ?? {},
      ...(opts.body !== undefined ? { body: opts.body } : {}),
    });
    const body = await res.body.text();
    const rev = res.headers["x-sluice-revision"];
    return { status: res.statusCode, body, revision: typeof rev === "string" ? rev : undefined, headers: res.headers };
  } finally {
    if (typeof target === "string") await pool.close();
  }
}

/** Counts answers by body. */
export function tally(answers: Answer[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of answers) out[a.body] = (out[a.body] ?? 0) + 1;
  return out;
}

/** Removes a temp state dir. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
