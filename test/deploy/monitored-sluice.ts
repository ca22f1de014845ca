import { readFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import path from "node:path";
import { LoadGenerator } from "../../src/demo/load.js";
import { ControllerProcess } from "../helpers/controller.js";
import { type RunningPrometheus, startPrometheus } from "../helpers/prometheus.js";
import { demoRollout, isHealthy, waitForRollout } from "../helpers/rollouts.js";
import { waitFor } from "../helpers/wait.js";

/** A real `sluice up` with users' traffic, scraped by a real Prometheus; stop() ends all of it. */
export interface MonitoredSluice {
  controller: ControllerProcess;
  prometheus: RunningPrometheus;
  /** Runs a PromQL instant query; throws on a parse or evaluation error. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop(): Promise<void>;
}

/**
 * Serves the router's /metrics (on its admin socket, mode 0600) on 127.0.0.1 so Prometheus can
 * scrape it: the bridge docs/monitoring.md describes for the local platform.
 */
export async function routerMetricsBridge(stateDir: string): Promise<{ server: Server; target: string }> {
  const socketPath = path.join(stateDir, "router.sock");
  const server = createServer((req, res) => {
    const upstream = request({ socketPath, path: "/metrics", method: "GET" }, (up) => {
      res.writeHead(up.statusCode ?? 502, { "content-type": up.headers["content-type"] ?? "text/plain" });
      up.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end());
    upstream.end();
    req.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address !== "object") throw new Error("bridge has no address");
  return { server, target: `127.0.0.1:${address.port}` };
}

/**
 * Starts `sluice up`, a rollout `web` (50% canary, one builtin analysis, then a pause), 50 users'
 * requests a second through the router, and a Prometheus scraping the controller and the router
 * every second (with `ruleFiles`). Resolves once the rollout is Healthy and Prometheus has both.
 */
export async function startMonitoredSluice(opts: { ruleFiles?: string[] } = {}): Promise<MonitoredSluice> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => {});
  };
  try {
    const controller = await new ControllerProcess().start();
    cleanups.push(() => controller.destroy());
    const bridge = await routerMetricsBridge(controller.stateDir);
    cleanups.push(() => new Promise((resolve) => bridge.server.close(resolve)));
    const api = JSON.parse(readFileSync(path.join(controller.stateDir, "api.json"), "utf8")) as { url: string };
    const prometheus = await startPrometheus({
      targets: [new URL(api.url).host, bridge.target],
      ...(opts.ruleFiles ? { ruleFiles: opts.ruleFiles } : {}),
    });
    cleanups.push(() => prometheus.stop());

    const template = {
      apiVersion: "sluice.dev/v1alpha1",
      kind: "AnalysisTemplate",
      metadata: { name: "success" },
      spec: {
        metrics: [
          {
            name: "success-rate",
            provider: { builtin: { window: "10s", minRequests: 5 } },
            // The canary needs a few seconds of its 50% to reach minRequests.
            initialDelay: "3s",
            interval: "1s",
            count: 1,
            successCondition: "result.canary.successRate >= 0.9",
          },
        ],
      },
    };
    const strategy = {
      canary: { steps: [{ setWeight: 50 }, { analysis: { templates: [{ templateName: "success" }] } }, { pause: {} }] },
    };
    await controller.api.post("/apply", { resources: [template, demoRollout("web", { VERSION: "1.0" }, strategy)] });
    await waitForRollout(controller.api, "web", isHealthy);
    const load = new LoadGenerator({ url: controller.routerUrl, ratePerSecond: 50 });
    load.start();
    cleanups.push(() => load.stop());

    const query: MonitoredSluice["query"] = async (expr) => {
      const res = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await res.json()) as { status: string; error?: string; data?: { result?: unknown } };
      if (body.status !== "success") throw new Error(`query ${expr} failed: ${body.error}`);
      return (body.data?.result ?? []) as { metric: Record<string, string>; value: [number, string] }[];
    };
    await waitFor(
      async () =>
        (await query("sluice_rollout_phase")).length > 0 &&
        (await query("rate(sluice_router_requests_total[1m]) > 0")).length > 0,
      { timeoutMs: 30_000, intervalMs: 250, message: "Prometheus to have controller and router samples" },
    );
    return { controller, prometheus, query, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Releases version 2.0 of `web` and waits until its analysis passed and it is Paused at 50% (step 2). */
export async function releaseToPause(controller: ControllerProcess): Promise<void> {
  await controller.api.post("/rollouts/web/set", { env: { VERSION: "2.0" } });
  await waitForRollout(controller.api, "web", (r) => r.status?.phase === "Paused" && r.status.currentStepIndex === 2, {
    timeoutMs: 60_000,
    message: "rollout web paused at its pause step after a passed analysis",
  });
}
