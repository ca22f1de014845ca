import { Counter, Histogram, Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrometheusMetricProvider } from "../../src/analysis/providers/prometheus.js";
import type { ProviderResult } from "../../src/analysis/providers/provider.js";
import { Metric } from "../../src/model/index.js";
import { type RunningPrometheus, startPrometheus } from "../helpers/prometheus.js";
import { waitFor } from "../helpers/wait.js";
import { reply, startServer, type TestServer } from "./servers.js";

// A real Prometheus scrapes a metrics endpoint this test serves and feeds with synthetic traffic:
// 10% of requests are 5xx, and 10% take 0.4 s while the rest take 0.03 s.
const SUCCESS_RATE = 'sum(rate(http_requests_total{status!~"5.."}[1m])) / sum(rate(http_requests_total[1m]))';
const P95 = "histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket[1m])) by (le))";
const ctx = { args: {}, rollout: "web", canaryRevision: "c1" };
const provider = new PrometheusMetricProvider();

function metric(address: string, query: string, extra: Record<string, unknown> = {}) {
  return Metric.parse({ name: "m", provider: { prometheus: { address, query, timeout: "5s", ...extra } } });
}

/** A single finite sample: what a ratio query gives once Prometheus has two scrapes in the window. */
function singleNumber(r: ProviderResult): number | undefined {
  if (!Array.isArray(r.value) || r.value.length !== 1) return undefined;
  const [v] = r.value as unknown[];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

let registry: Registry;
let target: TestServer;
let prom: RunningPrometheus;
let traffic: NodeJS.Timeout | undefined;

beforeAll(async () => {
  registry = new Registry();
  const requests = new Counter({
    name: "http_requests_total",
    help: "requests",
    labelNames: ["method", "endpoint", "status"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "latency",
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const tick = () => {
    requests.inc({ method: "GET", endpoint: "/api", status: "200" }, 9);
    requests.inc({ method: "GET", endpoint: "/api", status: "500" }, 1);
    for (let i = 0; i < 9; i++) duration.observe(0.03);
    duration.observe(0.4);
  };
  // Every series exists from the first scrape on, so rate() extrapolates them alike.
  tick();
  traffic = setInterval(tick, 100);
  target = await startServer((_req, res) => {
    void registry.metrics().then((text) => reply(res, 200, text, registry.contentType));
  });
  prom = await startPrometheus({ targets: [`127.0.0.1:${target.port}`], scrapeIntervalSeconds: 1 });
});

afterAll(async () => {
  clearInterval(traffic);
  await prom?.stop();
  await target?.close();
});

async function measureUntilNumber(address: string, query: string): Promise<number> {
  return waitFor(async () => singleNumber(await provider.measure(metric(address, query), ctx)), {
    timeoutMs: 30_000,
    intervalMs: 250,
    message: `${query} returning a number`,
  });
}

describe("prometheus provider against a real Prometheus", () => {
  it("computes the success rate with the seeds' query", async () => {
    const rate = await measureUntilNumber(prom.url, SUCCESS_RATE);
    // Every tick moves all series together, so the ratio is 0.9 up to float rounding.
    expect(rate).toBeCloseTo(0.9, 3);
  });

  it("computes p95 latency from the histogram", async () => {
    const p95 = await measureUntilNumber(prom.url, P95);
    // 90% of observations sit in the le=0.05 bucket, the rest in (0.25, 0.5]: p95 interpolates inside that bucket:
    // 0.25 + (0.5 - 0.25) * (0.95 - 0.9) / 0.1
    expect(p95).toBeCloseTo(0.375, 3);
  });

  it("returns a matrix for a range query", async () => {
    const r = await provider.measure(
      metric(prom.url, "sum(http_requests_total)", { range: { start: "10s", step: "1s" } }),
      ctx,
    );
    expect(r.error).toBeUndefined();
    const matrix = r.value as number[][];
    expect(matrix).toHaveLength(1);
    expect(matrix[0]!.length).toBeGreaterThan(1);
    // A counter never goes down.
    for (let i = 1; i < matrix[0]!.length; i++) expect(matrix[0]![i]).toBeGreaterThanOrEqual(matrix[0]![i - 1]!);
  });

  it("returns a scalar, an empty result, and Prometheus' own errors", async () => {
    expect((await provider.measure(metric(prom.url, "scalar(vector(1) + 1)"), ctx)).value).toBe(2);
    const empty = await provider.measure(metric(prom.url, 'http_requests_total{status="999"}'), ctx);
    expect(empty.inconclusive).toBe("query returned no data");
    const bad = await provider.measure(metric(prom.url, "sum(http_requests_total"), ctx);
    expect(bad.error).toMatch(/answered HTTP 400 \(bad_data: .*\); fix the query$/);
    expect(bad.query).toBe("sum(http_requests_total");
  });

  it("sends bearer and basic credentials through a proxy in front of it", async () => {
    const proxy = await startServer((req, res) => {
      void fetch(`${prom.url}${req.url}`).then(async (upstream) =>
        reply(res, upstream.status, await upstream.text(), upstream.headers.get("content-type") ?? ""),
      );
    });
    try {
      const bearer = await provider.measure(
        metric(proxy.url, SUCCESS_RATE, { authentication: { bearerToken: "s3cret" } }),
        ctx,
      );
      const basic = await provider.measure(
        metric(proxy.url, SUCCESS_RATE, { authentication: { basic: { username: "sre", password: "pw" } } }),
        ctx,
      );
      expect(singleNumber(bearer)).toBeGreaterThan(0.85);
      expect(singleNumber(basic)).toBeGreaterThan(0.85);
      expect(proxy.requests.map((r) => r.headers.authorization)).toEqual([
        "Bearer s3cret",
        `Basic ${Buffer.from("sre:pw").toString("base64")}`,
      ]);
    } finally {
      await proxy.close();
    }
  });

  it("gives an error while Prometheus is down, and values again after a restart", async () => {
    const pid = prom.pid!;
    await prom.stop({ keepData: true });
    expect(() => process.kill(pid, 0)).toThrow();
    const down = await provider.measure(metric(prom.url, SUCCESS_RATE), ctx);
    expect(down.value).toBeUndefined();
    expect(down.error).toMatch(/refused the connection/);

    await prom.restart();
    const rate = await measureUntilNumber(prom.url, SUCCESS_RATE);
    // Every tick moves all series together, so the ratio is 0.9 up to float rounding.
    expect(rate).toBeCloseTo(0.9, 3);
  });
});
