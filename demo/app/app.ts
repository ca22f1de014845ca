import type { IncomingMessage, ServerResponse } from "node:http";
import { hostname } from "node:os";
import type { AppConfig } from "./config.js";
import { type AppMetrics, createAppMetrics } from "./metrics.js";

/** The service name reported at `/`. */
export const SERVICE_NAME = "sluice-demo";

/** How long `/api/slow` sleeps when neither `?ms=` nor LATENCY_MS says otherwise (as in the seed app). */
export const DEFAULT_SLOW_MS = 2000;

/** The demo service as a request handler, plus the hooks its graceful shutdown needs. */
export interface DemoApp {
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  metrics: AppMetrics;
  /** From now on /ready answers 503 and every response carries `Connection: close`. */
  beginShutdown(): void;
  /** Requests being served right now, probes included. */
  inFlight(): number;
  /** Resolves once no request is in flight. */
  idle(): Promise<void>;
}

export interface DemoAppOptions {
  metrics?: AppMetrics;
  /** Milliseconds clock; injectable so readiness delay tests need no sleeping. */
  now?: () => number;
  /** 0..1 source for latency jitter. */
  random?: () => number;
}

// Probe and scrape traffic would dilute the success rate and latency an analysis measures, so
// these paths are served but not counted in the request metrics.
const UNCOUNTED = new Set(["/health", "/ready", "/metrics"]);
const ENDPOINTS = new Set(["/", "/health", "/ready", "/version", "/api/data", "/api/slow", "/api/error", "/metrics"]);

/** Builds the demo service for `config`. Pure request handling; listening is server.ts's job. */
export function createApp(config: AppConfig, opts: DemoAppOptions = {}): DemoApp {
  const metrics = opts.metrics ?? createAppMetrics(config.version);
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const startedAt = now();
  let shuttingDown = false;
  let inFlight = 0;
  let injectable = 0;
  let idleWaiters: (() => void)[] = [];

  // Request n fails when round(n*rate) grows, so exactly round(N*rate) of the first N fail.
  const shouldFail = (): boolean => {
    injectable += 1;
    const rate = config.errorRate;
    return Math.floor(injectable * rate + 0.5) > Math.floor((injectable - 1) * rate + 0.5);
  };

  const latency = (): number => config.latencyMs + random() * config.latencyJitterMs;

  const send = (res: ServerResponse, status: number, body: unknown, contentType = "application/json"): void => {
    if (res.writableEnded || res.destroyed) return;
    if (shuttingDown) res.setHeader("Connection", "close");
    const text = contentType === "application/json" ? `${JSON.stringify(body)}\n` : String(body);
    res.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(text) });
    res.end(text);
  };

  const route = async (path: string, url: URL, res: ServerResponse): Promise<void> => {
    switch (path) {
      case "/health":
        return send(res, 200, { status: "ok" });
      case "/ready": {
        const waiting = now() - startedAt < config.readyDelayMs;
        if (shuttingDown || waiting)
          return send(res, 503, { status: shuttingDown ? "shutting down" : "starting", version: config.version });
        return send(res, 200, { status: "ready", version: config.version });
      }
      case "/version":
        return send(res, 200, { version: config.version, features: config.features });
      case "/metrics":
        return send(res, 200, await metrics.registry.metrics(), metrics.registry.contentType);
      case "/":
        await sleep(latency());
        if (shouldFail()) return send(res, 500, { error: "injected failure", version: config.version });
        return send(res, 200, {
          service: SERVICE_NAME,
          version: config.version,
          hostname: hostname(),
          pid: process.pid,
        });
      case "/api/data":
        await sleep(latency());
        if (shouldFail()) return send(res, 500, { error: "injected failure", version: config.version });
        return send(res, 200, {
          version: config.version,
          items: [
            { id: 1, name: "alpha" },
            { id: 2, name: "beta" },
            { id: 3, name: "gamma" },
          ],
        });
      case "/api/slow": {
        const ms = slowMs(url.searchParams.get("ms"), config.latencyMs);
        if (ms === undefined) return send(res, 400, { error: "ms must be a number of milliseconds from 0 to 60000" });
        await sleep(ms);
        return send(res, 200, { version: config.version, sleptMs: ms });
      }
      case "/api/error":
        await sleep(latency());
        return send(res, 500, { error: "this endpoint always fails", version: config.version });
      default:
        return send(res, 404, { error: `no such endpoint: ${path}` });
    }
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? "/", "http://demo.invalid");
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
    const counted = !UNCOUNTED.has(path);
    const endpoint = ENDPOINTS.has(path) ? path : "other";
    const method = req.method ?? "GET";
    const stopTimer = counted ? metrics.duration.startTimer({ method, endpoint }) : undefined;
    inFlight += 1;
    if (counted) metrics.inFlight.inc();
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      inFlight -= 1;
      if (counted) {
        metrics.inFlight.dec();
        stopTimer?.();
        // 499 (as nginx logs it): the client went away before the response was complete.
        const status = res.writableFinished ? String(res.statusCode) : "499";
        metrics.requests.inc({ method, endpoint, status });
      }
      if (inFlight === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const w of waiters) w();
      }
    };
    res.on("finish", finish);
    res.on("close", finish);
    route(path, url, res).catch((err: unknown) => send(res, 500, { error: String(err) }));
  };

  return {
    handler,
    metrics,
    beginShutdown() {
      shuttingDown = true;
    },
    inFlight: () => inFlight,
    idle: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
  };
}

function slowMs(param: string | null, latencyMs: number): number | undefined {
  if (param === null || param === "") return latencyMs > 0 ? latencyMs * 5 : DEFAULT_SLOW_MS;
  const ms = Number(param);
  return Number.isFinite(ms) && ms >= 0 && ms <= 60_000 ? ms : undefined;
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
