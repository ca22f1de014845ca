import { spawn } from "node:child_process";
import { mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createProviders } from "../analysis/providers/index.js";
import { createApi, createToken, serveApi, writeApiAddress } from "../api/index.js";
import { LocalPlatform } from "../platform/local/local-platform.js";
import type { RouterConfig } from "../platform/local/router/config.js";
import { RouterClient } from "../platform/local/router/router-client.js";
import { Supervisor } from "../platform/local/supervisor/supervisor.js";
import { openStore } from "../store/index.js";
import { Controller } from "./controller.js";
import { ControllerMetrics } from "./metrics.js";
import { PreviewPorts } from "./preview-ports.js";
import { isAlive, waitUntil } from "./process-util.js";

export interface LocalRuntimeOptions {
  stateDir: string;
  /** The router's main listener, `HOST:PORT`. Used only when a router is started; a running one is adopted. */
  listen: string;
  /** The API listener, `HOST:PORT`; port 0 picks a free one. */
  apiListen?: string;
  onError?: (message: string, err: unknown) => void;
  version?: string;
}

/** A running local controller, with handles on the router and the API. */
export interface LocalRuntime {
  controller: Controller;
  apiUrl: string;
  routerUrl: string;
  token: string;
  /** The preview listener of a blue-green rollout, once it has one. */
  previewUrl(rollout: string): string | undefined;
  /**
   * Stops the controller and the API. The router and the replicas keep serving unless
   * `stopDataPlane` is set (`sluice down`), so a restarted controller adopts them.
   */
  stop(opts?: { stopDataPlane?: boolean; keepApps?: boolean }): Promise<void>;
}

const ROUTER_MAIN = fileURLToPath(new URL("../platform/local/router/main.ts", import.meta.url));

/**
 * Starts (or adopts) the router process, opens the store, re-adopts replicas that outlived a
 * previous controller, then starts the control loop and the API.
 */
export async function startLocalRuntime(opts: LocalRuntimeOptions): Promise<LocalRuntime> {
  const dir = opts.stateDir;
  mkdirSync(path.join(dir, "logs"), { recursive: true });
  const store = openStore(dir);
  const onError = opts.onError ?? (() => {});

  const router = new RouterClient(path.join(dir, "router.sock"));
  const routerUrl = await ensureRouter(dir, opts.listen, router);
  const current = await router.getConfig().catch(() => undefined as RouterConfig | undefined);

  const previews = new PreviewPorts(path.join(dir, "preview-ports.json"));
  let controller: Controller | undefined;
  let platform: LocalPlatform | undefined;
  const supervisor = new Supervisor({
    stateDir: dir,
    registry: store.replicas,
    onChange: () => {
      platform?.sync().catch(() => {});
      controller?.observationChanged();
    },
    drain: async (endpoint) => {
      await platform?.sync();
      await waitUntil(async () => (await router.inflight(endpoint)) === 0, 30_000).catch(() => {});
    },
  });
  platform = new LocalPlatform({
    supervisor,
    router,
    templates: {
      get: (rollout, hash) => store.getTemplates(rollout)[hash],
      put: (rollout, hash, template) => store.putTemplate(rollout, hash, template),
    },
    ...(current ? { current } : {}),
    previewListen: (rollout) => previews.allocate(rollout),
    onError: (err) => onError("router update failed", err),
  });
  await supervisor.adopt((rollout, hash) => store.getTemplates(rollout)[hash]?.process);

  const metrics = new ControllerMetrics();
  controller = new Controller({
    store,
    platform,
    providers: createProviders({ getTelemetry: (rollout, window) => router.getTelemetry(rollout, window) }),
    metrics,
    onError,
  });
  controller.start();

  const token = createToken(dir);
  const [apiHost, apiPort] = splitHostPort(opts.apiListen ?? "127.0.0.1:0");
  const api = await serveApi(
    createApi({
      control: controller,
      token,
      metrics: () => metrics.text(),
      ready: () => true,
      version: opts.version ?? "dev",
    }),
    { host: apiHost, port: apiPort },
  );
  writeApiAddress(dir, api.url);
  writeFileSync(path.join(dir, "controller.pid"), String(process.pid));

  return {
    controller,
    apiUrl: api.url,
    routerUrl,
    token,
    previewUrl: (rollout) => {
      const listen = previews.get(rollout);
      return listen ? `http://${listen}` : undefined;
    },
    async stop({ stopDataPlane = false, keepApps = false } = {}) {
      controller?.stop();
      await api.close();
      if (stopDataPlane && !keepApps) await supervisor.stopAll();
      else await supervisor.detach();
      if (stopDataPlane) await stopRouter(dir);
      store.close();
    },
  };
}

/** Adopts the router if its pid is alive and it answers; otherwise starts a new one. */
async function ensureRouter(dir: string, listen: string, client: RouterClient): Promise<string> {
  if (await client.healthy().catch(() => false)) return readRouterUrl(dir);
  const log = openSync(path.join(dir, "logs", "router.log"), "a");
  const child = spawn(process.execPath, ["--import", "tsx", ROUTER_MAIN, "--state-dir", dir, "--listen", listen], {
    detached: true,
    stdio: ["ignore", log, log],
    env: process.env,
  });
  child.unref();
  await waitUntil(() => client.healthy().catch(() => false), 20_000).catch((err) => {
    throw new Error(`the router did not start within 20 s; see ${path.join(dir, "logs", "router.log")}`, {
      cause: err,
    });
  });
  return readRouterUrl(dir);
}

function readRouterUrl(dir: string): string {
  const info = JSON.parse(readFileSync(path.join(dir, "router.json"), "utf8")) as { listen: string };
  return `http://${info.listen}`;
}

async function stopRouter(dir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(dir, "router.pid"), "utf8"));
  } catch {
    return;
  }
  if (!isAlive(pid)) return;
  process.kill(pid, "SIGTERM");
  await waitUntil(() => !isAlive(pid), 10_000).catch(() => process.kill(pid, "SIGKILL"));
}

function splitHostPort(hostPort: string): [string, number] {
  const i = hostPort.lastIndexOf(":");
  return [hostPort.slice(0, i) || "127.0.0.1", Number(hostPort.slice(i + 1))];
}
