import { Client } from "undici";
import type { RevisionTelemetry, RouteRefusal, RouterConfig } from "./config.js";
import { RouterError } from "./errors.js";
import type { TrafficFilter } from "./telemetry.js";

/** What the router said about a config it took. */
export interface PutConfigResult {
  warnings: string[];
  refused: RouteRefusal[];
}

/** Refusals from an answer; a router too old to report them refuses nothing but whole configs. */
function refusalsOf(value: unknown): RouteRefusal[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((r: Partial<RouteRefusal> | null) =>
    r && typeof r.rollout === "string"
      ? [{ rollout: r.rollout, path: String(r.path ?? ""), message: String(r.message ?? "refused") }]
      : [],
  );
}

const NUMERIC_FIELDS = ["successRate", "errorRate", "p50", "p90", "p95", "p99"] as const;

/**
 * The controller's handle on the router process, over the admin unix socket. Every failure (router
 * down, error status, bad answer) is a {@link RouterError} carrying the cause.
 */
export class RouterClient {
  private readonly client: Client;

  /** @param timeoutMs how long to wait for an answer before failing the call */
  constructor(
    readonly socketPath: string,
    timeoutMs = 10_000,
  ) {
    this.client = new Client("http://router", {
      socketPath,
      keepAliveTimeout: 2_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  }

  /**
   * Sends the whole config. Throws a RouterError with status 409 if the router serves a newer
   * generation, 400 if the config as a whole is malformed. Rollouts whose route the router would
   * not serve come back in `refused`; every other rollout's route is live.
   */
  async putConfig(cfg: RouterConfig): Promise<PutConfigResult> {
    const { body } = await this.call("PUT", "/config", JSON.stringify(cfg));
    const b = body as { warnings?: unknown; refused?: unknown };
    return {
      warnings: Array.isArray(b.warnings) ? b.warnings.map(String) : [],
      refused: refusalsOf(b.refused),
    };
  }

  /** The rollouts whose latest route the router refused, from `GET /status`. */
  async refused(): Promise<RouteRefusal[]> {
    const { body } = await this.call("GET", "/status");
    return refusalsOf((body as { refused?: unknown }).refused);
  }

  /** The config the router serves, or undefined if it has none yet. */
  async getConfig(): Promise<RouterConfig | undefined> {
    const { status, body } = await this.call("GET", "/config", undefined, [404]);
    return status === 404 ? undefined : (body as RouterConfig);
  }

  /** Per-revision telemetry of a rollout over the last `windowSeconds` (at most 600). */
  async getTelemetry(
    rollout: string,
    windowSeconds: number,
    traffic: TrafficFilter = "all",
  ): Promise<RevisionTelemetry[]> {
    const q = new URLSearchParams({ rollout, window: String(windowSeconds), traffic });
    const { body } = await this.call("GET", `/telemetry?${q}`);
    const revisions = (body as { revisions?: unknown }).revisions;
    if (!Array.isArray(revisions)) throw new RouterError("telemetry answer has no revisions list");
    // JSON has no NaN: the router sends null for "no requests in the window".
    return revisions.map((r: RevisionTelemetry) => {
      const out = { ...r };
      for (const f of NUMERIC_FIELDS) if (out[f] === null) out[f] = Number.NaN;
      return out;
    });
  }

  /** Requests in flight to an endpoint (`127.0.0.1:PORT`); drain waits for 0 before stopping a replica. */
  async inflight(endpoint: string): Promise<number> {
    const { body } = await this.call("GET", `/inflight?${new URLSearchParams({ endpoint })}`);
    const n = (body as { inflight?: unknown }).inflight;
    if (typeof n !== "number") throw new RouterError("inflight answer has no count");
    return n;
  }

  /** The router's Prometheus text. */
  async metrics(): Promise<string> {
    const res = await this.request("GET", "/metrics");
    if (res.status !== 200) throw new RouterError(`GET /metrics answered ${res.status}`, res.status);
    return res.text;
  }

  /** True when the router answers its health check; never throws. */
  async healthy(): Promise<boolean> {
    try {
      const res = await this.request("GET", "/healthz");
      return res.status === 200;
    } catch {
      return false;
    }
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.client.closed || this.client.destroyed;
  }

  /** Closes the connection to the socket; later calls do nothing. */
  async close(): Promise<void> {
    if (!this.closed) await this.client.close();
  }

  private async call(
    method: "GET" | "PUT",
    path: string,
    payload?: string,
    allowed: number[] = [],
  ): Promise<{ status: number; body: unknown }> {
    const res = await this.request(method, path, payload);
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch (err) {
      throw new RouterError(`${method} ${path}: the router answered ${res.status} with a non-JSON body`, res.status, {
        cause: err,
      });
    }
    if (res.status >= 400 && !allowed.includes(res.status)) {
      const message = (body as { error?: unknown }).error;
      throw new RouterError(
        `${method} ${path}: ${typeof message === "string" ? message : `status ${res.status}`}`,
        res.status,
      );
    }
    return { status: res.status, body };
  }

  private async request(
    method: "GET" | "PUT",
    path: string,
    payload?: string,
  ): Promise<{ status: number; text: string }> {
    try {
      const res = await this.client.request({
        method,
        path,
        ...(payload !== undefined ? { body: payload, headers: { "content-type": "application/json" } } : {}),
      });
      return { status: res.statusCode, text: await res.body.text() };
    } catch (err) {
      throw new RouterError(`${method} ${path}: cannot reach the router at ${this.socketPath}`, undefined, {
        cause: err,
      });
    }
  }
}
