import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Backend,
  config,
  load,
  type RouterProcess,
  removeDir,
  route,
  startBackend,
  startRouter,
} from "./harness.js";

let router: RouterProcess;
let good: Backend;
let bad: Backend;
let metricsUrl: string;

beforeAll(async () => {
  const probe = await startBackend("probe");
  const metricsListen = probe.endpoint;
  await probe.close();
  [router, good, bad] = await Promise.all([
    startRouter({ extraArgs: ["--metrics-listen", metricsListen] }),
    startBackend("good"),
    startBackend("bad", (req, res) => {
      req.resume();
      res.statusCode = req.url === "/missing" ? 404 : 500;
      res.end("bad");
    }),
  ]);
  metricsUrl = `http://${metricsListen}/metrics`;
  await router.client.putConfig(
    config(
      1,
      route("shop", { good: [good.endpoint], bad: [bad.endpoint] }, { good: 75, bad: 25 }),
      route("cart", { good: [good.endpoint] }, { good: 100 }, { hosts: ["cart"] }),
    ),
  );
});

afterAll(async () => {
  await router?.stop();
  await Promise.all([good?.close(), bad?.close()]);
  if (router) removeDir(router.stateDir);
});

/** Parses Prometheus text into sample name+labels -> value. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable metrics line: ${line}`);
    out.set(`${m[1]}${m[2] ?? ""}`, Number(m[3]));
  }
  return out;
}

describe("router telemetry", () => {
  it("counts requests per revision and class, with rates and latency quantiles", async () => {
    await load(router.url, 400, { headers: { host: "shop" } });
    await load(router.url, 8, { headers: { host: "shop" }, path: "/missing" });
    const revisions = await router.client.getTelemetry("shop", 60);
    const byName = Object.fromEntries(revisions.map((r) => [r.revision, r]));
    expect(byName.good).toMatchObject({
      requests: 306,
      byClass: { "2xx": 306, "5xx": 0 },
      successRate: 1,
      windowSeconds: 60,
    });
    expect(byName.bad).toMatchObject({ requests: 102, byClass: { "4xx": 2, "5xx": 100 } });
    expect(byName.bad!.successRate).toBeCloseTo(2 / 102);
    expect(byName.good!.requestRate).toBeCloseTo(306 / 60);
    for (const r of revisions) {
      expect(r.p50).toBeGreaterThan(0);
      expect(r.p50).toBeLessThanOrEqual(r.p90);
      expect(r.p90).toBeLessThanOrEqual(r.p99);
    }
    // Another rollout's traffic is kept apart.
    expect(await router.client.getTelemetry("cart", 60)).toMatchObject([{ revision: "good", requests: 0 }]);
    const [idle] = await router.client.getTelemetry("cart", 60);
    expect(idle!.successRate).toBeNaN();
    expect(idle!.p99).toBeNaN();
  });

  it("exposes the same counts as Prometheus text on the socket and on --metrics-listen", async () => {
    const fromSocket = parseMetrics(await router.client.metrics());
    const fromTcp = parseMetrics(await (await fetch(metricsUrl)).text());
    for (const metrics of [fromSocket, fromTcp]) {
      expect(metrics.get('sluice_router_requests_total{rollout="shop",revision="good",code="2xx"}')).toBe(306);
      expect(metrics.get('sluice_router_requests_total{rollout="shop",revision="bad",code="5xx"}')).toBe(100);
      expect(metrics.get('sluice_router_requests_total{rollout="shop",revision="bad",code="4xx"}')).toBe(2);
      expect(metrics.get('sluice_router_request_duration_seconds_count{rollout="shop",revision="good"}')).toBe(306);
      expect(
        metrics.get('sluice_router_request_duration_seconds_bucket{rollout="shop",revision="good",le="+Inf"}'),
      ).toBe(306);
      expect(metrics.get('sluice_router_request_duration_seconds_sum{rollout="shop",revision="good"}')).toBeGreaterThan(
        0,
      );
      expect(metrics.get("sluice_router_config_generation")).toBe(1);
    }
    const buckets = [...fromSocket]
      .filter(([k]) => k.startsWith('sluice_router_request_duration_seconds_bucket{rollout="shop",revision="bad"'))
      .map(([, v]) => v);
    expect(buckets.length).toBeGreaterThan(5);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]).toBeGreaterThanOrEqual(buckets[i - 1]!);
  });

  it("rejects a telemetry query without a rollout", async () => {
    await expect(router.client.getTelemetry("", 60)).rejects.toMatchObject({ status: 400 });
  });
});
