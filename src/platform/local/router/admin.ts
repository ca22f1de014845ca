import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { RouterConfigError, StaleGenerationError } from "./errors.js";
import type { Router } from "./router.js";
import { MAX_WINDOW_SECONDS, TRAFFIC_FILTERS, type TrafficFilter } from "./telemetry.js";
import { parseRouterConfig } from "./validate.js";

/** Largest config body accepted; far above any real route table, small enough to refuse garbage. */
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** Hooks the admin server calls besides the router itself. */
export interface AdminOptions {
  /** Saves the served config after each successful PUT; a failure is reported as a warning. */
  persist?: (router: Router) => void;
}

/**
 * The control channel, served on a unix socket: `PUT/GET /config`, `GET /telemetry`, `GET /inflight`,
 * `GET /metrics`, `GET /healthz` (also `GET /status`: generation, preview listeners, refused routes).
 * Only the controller and the CLI talk to it. `GET /config` answers what is served, which for a
 * refused rollout is its last accepted route.
 */
export function createAdminServer(router: Router, opts: AdminOptions = {}): Server {
  return createServer((req, res) => {
    handle(router, opts, req, res).catch((err: unknown) => {
      json(res, 500, { error: (err as Error).message ?? String(err) });
    });
  });
}

async function handle(router: Router, opts: AdminOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://router");
  const route = `${req.method} ${url.pathname}`;
  switch (route) {
    case "PUT /config":
      return putConfig(router, opts, req, res);
    case "GET /config": {
      const cfg = router.config;
      return cfg ? json(res, 200, cfg) : json(res, 404, { error: "no configuration yet" });
    }
    case "GET /telemetry": {
      const rollout = url.searchParams.get("rollout");
      const window = Number(url.searchParams.get("window") ?? 60);
      if (!rollout) return json(res, 400, { error: "rollout is required" });
      if (!Number.isFinite(window) || window < 1)
        return json(res, 400, { error: `window must be 1 to ${MAX_WINDOW_SECONDS} seconds` });
      // NaN (no requests) becomes null in JSON; the client turns it back into NaN.
      const traffic = (url.searchParams.get("traffic") ?? "all") as TrafficFilter;
      if (!TRAFFIC_FILTERS.includes(traffic))
        return json(res, 400, { error: "traffic must be user, generated or all" });
      return json(res, 200, { revisions: router.telemetry.summary(rollout, window, traffic) });
    }
    case "GET /inflight": {
      const endpoint = url.searchParams.get("endpoint");
      if (!endpoint) return json(res, 400, { error: "endpoint is required" });
      return json(res, 200, { inflight: router.inflight(endpoint) });
    }
    case "GET /metrics": {
      const text = router.metrics();
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
      res.end(text);
      return;
    }
    case "GET /healthz":
    case "GET /status":
      return json(res, 200, {
        ok: true,
        pid: process.pid,
        generation: router.config?.generation ?? null,
        previewListeners: router.previewListeners(),
        refused: router.refused,
      });
    default:
      return json(res, 404, { error: `no such endpoint: ${route}` });
  }
}

async function putConfig(router: Router, opts: AdminOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body: string;
  try {
    body = await readBody(req, MAX_CONFIG_BYTES);
  } catch (err) {
    return json(res, 413, { error: (err as Error).message });
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    return json(res, 400, { error: `config is not JSON: ${(err as Error).message}` });
  }
  try {
    const parsed = parseRouterConfig(value);
    const result = await router.apply(parsed.config, parsed.refused);
    const warnings = [...result.warnings];
    try {
      opts.persist?.(router);
    } catch (err) {
      warnings.push(`config is served but could not be saved: ${(err as Error).message}`);
    }
    // 200 even with refusals: every other rollout's route is live, and the refused ones say why.
    return json(res, 200, { generation: result.generation, warnings, refused: result.refused });
  } catch (err) {
    if (err instanceof StaleGenerationError) return json(res, 409, { error: err.message, generation: err.current });
    if (err instanceof RouterConfigError) return json(res, 400, { error: err.message, path: err.path });
    throw err;
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error(`config is larger than ${limit} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}
