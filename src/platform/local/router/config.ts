import type { TrafficSpec } from "../../../engine/types.js";

/** One revision's ready replicas, as the router dials them. */
export interface RouterBackend {
  revision: string;
  /** `127.0.0.1:PORT` of each replica that is ready and not draining. */
  endpoints: string[];
}

/** How the router serves one rollout. */
export interface RolloutRoute {
  rollout: string;
  /**
   * Host header values (port ignored) that select this rollout on the main listener. A route with
   * `default: true` takes requests no host matched.
   */
  hosts: string[];
  default?: boolean;
  backends: RouterBackend[];
  traffic: TrafficSpec;
  /** Blue-green: a listener (`127.0.0.1:PORT`) that reaches `traffic.preview`. */
  previewListen?: string;
}

/**
 * The whole router configuration. The controller sends it complete every time, and the router
 * swaps it in atomically; `generation` only ever grows, so a late, older config is ignored.
 */
export interface RouterConfig {
  generation: number;
  rollouts: RolloutRoute[];
}

/**
 * A rollout's route the router would not serve. The router keeps serving that rollout's last
 * accepted route, if it had one, and applies every other rollout's route as sent.
 */
export interface RouteRefusal {
  rollout: string;
  /** Where in the rollout's route, e.g. `traffic.headerRoutes[0].match[0].headerValue.regex`. */
  path: string;
  /** What is wrong, without the path. */
  message: string;
}

/** Request counts and latency for one revision over a sliding window. Latencies in milliseconds. */
export interface RevisionTelemetry {
  revision: string;
  windowSeconds: number;
  requests: number;
  byClass: { "2xx": number; "3xx": number; "4xx": number; "5xx": number; error: number };
  /** (requests - 5xx - connection errors) / requests; NaN when there were no requests. */
  successRate: number;
  errorRate: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  /** Requests per second over the window. */
  requestRate: number;
  /**
   * Counts since the router (worker) started, not windowed, for the analysis judge: requests,
   * failed requests (5xx and connection errors), and cumulative latency buckets at PROMETHEUS_LE
   * seconds with a last +Inf bucket. A router restart sets them back to zero.
   */
  total?: { requests: number; errors: number; buckets: number[] };
}
