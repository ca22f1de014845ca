import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Latency buckets from 5 ms to 5 s, fine enough for p95/p99 queries on a canary. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The demo app's Prometheus metrics, in a registry of their own. */
export interface AppMetrics {
  registry: Registry;
  requests: Counter<"method" | "endpoint" | "status">;
  duration: Histogram<"method" | "endpoint">;
  inFlight: Gauge;
}

/**
 * Creates the request metrics. `processMetrics` adds Node's default process metrics; tests leave
 * it off because those collectors are process-wide.
 */
export function createAppMetrics(version: string, opts: { processMetrics?: boolean } = {}): AppMetrics {
  const registry = new Registry();
  const requests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests served, by method, endpoint and status code.",
    labelNames: ["method", "endpoint", "status"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration in seconds.",
    labelNames: ["method", "endpoint"] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: "http_requests_in_flight",
    help: "HTTP requests being served right now.",
    registers: [registry],
  });
  const info = new Gauge({
    name: "app_info",
    help: "Always 1; the version label tells which revision answered the scrape.",
    labelNames: ["version"] as const,
    registers: [registry],
  });
  info.set({ version }, 1);
  if (opts.processMetrics) collectDefaultMetrics({ register: registry });
  return { registry, requests, duration, inFlight };
}
