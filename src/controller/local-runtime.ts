import { writeFileSync } from "node:fs";
import path from "node:path";
import { createProviders } from "../analysis/providers/index.js";
import { createApi, createToken, serveApi, writeApiAddress } from "../api/index.js";
import { loadSecret } from "../load/label.js";
import type { AnalysisRun } from "../model/analysis.js";
import type { Rollout } from "../model/rollout.js";
import { Notifier } from "../notifications/notifier.js";
import { LocalPlatform } from "../platform/local/local-platform.js";
import type { RouterConfig } from "../platform/local/router/config.js";
import { RouterClient } from "../platform/local/router/router-client.js";
import { splitHostPort } from "../platform/local/router/validate.js";
import { Supervisor } from "../platform/local/supervisor/supervisor.js";
import { openStore, secureStateDir } from "../store/index.js";
import { Controller } from "./controller.js";
import { LoadRunner } from "./load-runner.js";
import { ControllerMetrics } from "./metrics.js";
import { PreviewPorts } from "./preview-ports.js";
import { waitUntil } from "./process-util.js";
import { ensureRouter, watchRouter } from "./router-process.js";
import { readPid, terminateProcess } from "./shutdown.js";

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

/**
 * Starts (or adopts) the router process, opens the store, re-adopts replicas that outlived a
 * previous controller, then starts the control loop and the API.
 */
export async function startLocalRuntime(opts: LocalRuntimeOptions): Promise<LocalRuntime> {
  const dir = opts.stateDir;
  const onError = opts.onError ?? (() => {});
  for (const warning of secureStateDir(dir)) onError("the state directory is not private", new Error(warning));
  const store = openStore(dir);

  const router = new RouterClient(path.join(dir, "router.sock"));
  const routerUrl = await ensureRouter(dir, opts.listen, router);
  let stopWatchingRouter: () => void = () => {};
  const current = await router.getConfig().catch(() => undefined as RouterConfig | undefined);

  const previews = new PreviewPorts(path.join(dir, "preview-ports.json"));
  let controller: Controller | undefined;
  let platform: LocalPlatform | undefined;
  // Set once `sluice down` has drained every replica and is about to stop the router: a late
  // change notice must not send a route table to a router that is going away.
  let routerStopping = false;
  const supervisor = new Supervisor({
    stateDir: dir,
    registry: store.replicas,
    onChange: (rollouts) => {
      if (routerStopping) return;
      platform?.sync().catch(() => {});
      if (rollouts === undefined) controller?.observationChanged();
      else for (const rollout of rollouts) controller?.observationChanged(rollout);
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
    onRefusalChange: (rollout) => controller?.observationChanged(rollout),
  });
  stopWatchingRouter = watchRouter(dir, opts.listen, router, {
    onRestart: () => void platform?.sync().catch(() => {}),
    onError,
  });
  const serving = new Set(current?.rollouts.flatMap((r) => r.backends.flatMap((b) => b.endpoints)) ?? []);
  await supervisor.adopt((rollout, hash) => store.getTemplates(rollout)[hash]?.process, serving);

  const metrics = new ControllerMetrics();
  controller = new Controller({
    store,
    platform,
    providers: createProviders({
      getTelemetry: (rollout, window, traffic) => router.getTelemetry(rollout, window, traffic),
    }),
    metrics,
    onError,
    record: store.record,
  });
  controller.start();
  const running = controller;
  const loads = new LoadRunner({
    rollouts: () => store.listResources("Rollout") as Rollout[],
    run: (name) => store.getResource("AnalysisRun", name) as AnalysisRun | undefined,
    subscribe: (listener) => running.subscribe(listener),
    routerUrl,
    secret: loadSecret(dir),
    onError,
  });
  loads.start();
  const notifier = new Notifier({ source: controller, metrics, onError });
  notifier.start();

  const previewUrl = (rollout: string) => {
    const listen = previews.get(rollout);
    return listen ? `http://${listen}` : undefined;
  };
  const token = createToken(dir);
  const { host: apiHost, port: apiPort } = splitHostPort(opts.apiListen ?? "127.0.0.1:0", "--api-listen");
  const api = await serveApi(
    createApi({
      control: controller,
      token,
      tokens: store.tokens,
      metrics: () => metrics.text(),
      ready: () => true,
      version: opts.version ?? "dev",
      previewUrl,
    }),
    { host: apiHost, port: apiPort },
  );
  writeApiAddress(dir, api.url);
  writeFileSync(path.join(dir, "controller.pid"), String(process.pid), { mode: 0o600 });

  return {
    controller,
    apiUrl: api.url,
    routerUrl,
    token,
    previewUrl,
    async stop({ stopDataPlane = false, keepApps = false } = {}) {
      stopWatchingRouter();
      loads.stop();
      notifier.stop();
      controller?.stop();
      await api.close();
      if (stopDataPlane && !keepApps) await supervisor.stopAll();
      else await supervisor.detach();
      if (stopDataPlane) {
        routerStopping = true;
        // A route-table send already under way finishes while the router still listens.
        await platform?.sync().catch(() => {});
        await terminateProcess(readPid(path.join(dir, "router.pid")));
      }
      store.close();
    },
  };
}
