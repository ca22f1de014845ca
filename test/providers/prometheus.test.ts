import { afterEach, describe, expect, it } from "vitest";
import { PrometheusMetricProvider } from "../../src/analysis/providers/prometheus.js";
import { Metric } from "../../src/model/index.js";
import { closedPort, reply, type SeenRequest, startServer, type TestServer } from "./servers.js";

// Prometheus-shaped answers from a fake server: every failure mode on demand. The real thing is in prometheus-real.test.ts.
const ctx = { args: {}, rollout: "web", canaryRevision: "c1" };
const NOW = 1_700_000_000_000;
const provider = new PrometheusMetricProvider(() => NOW);
const QUERY = 'sum(rate(http_requests_total{status!~"5.."}[1m])) / sum(rate(http_requests_total[1m]))';

function metric(address: string, extra: Record<string, unknown> = {}) {
  return Metric.parse({ name: "success-rate", provider: { prometheus: { address, query: QUERY, ...extra } } });
}

function success(resultType: string, result: unknown): string {
  return JSON.stringify({ status: "success", data: { resultType, result } });
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(status: number, body: string, contentType?: string): Promise<TestServer> {
  server = await startServer((_req, res) => reply(res, status, body, contentType));
  return server;
}

function params(req: SeenRequest | undefined): URLSearchParams {
  return new URL(req?.url ?? "/", "http://x").searchParams;
}

describe("prometheus provider against a fake Prometheus", () => {
  it("sends an instant query with query and time, and reads a vector", async () => {
    const s = await serve(200, success("vector", [{ metric: {}, value: [NOW / 1000, "0.9"] }]));
    const r = await provider.measure(metric(s.url), ctx);
    expect(r).toEqual({ value: [0.9], query: QUERY });
    const seen = s.requests[0];
    expect(seen?.url.startsWith("/api/v1/query?")).toBe(true);
    expect(params(seen).get("query")).toBe(QUERY);
    expect(params(seen).get("time")).toBe(String(NOW / 1000));
  });

  it("reads a scalar as a number", async () => {
    const s = await serve(200, success("scalar", [NOW / 1000, "0.5"]));
    expect((await provider.measure(metric(s.url), ctx)).value).toBe(0.5);
  });

  it("sends a range query and reads a matrix", async () => {
    const s = await serve(
      200,
      success("matrix", [
        {
          metric: {},
          values: [
            [1, "1"],
            [2, "2"],
          ],
        },
      ]),
    );
    const r = await provider.measure(metric(s.url, { range: { start: "1m", step: "15s" } }), ctx);
    expect(r.value).toEqual([[1, 2]]);
    const seen = s.requests[0];
    expect(seen?.url.startsWith("/api/v1/query_range?")).toBe(true);
    expect(params(seen).get("start")).toBe(String(NOW / 1000 - 60));
    expect(params(seen).get("end")).toBe(String(NOW / 1000));
    expect(params(seen).get("step")).toBe("15");
  });

  it("calls an empty vector inconclusive, never a value", async () => {
    const s = await serve(200, success("vector", []));
    const r = await provider.measure(metric(s.url), ctx);
    expect(r.inconclusive).toBe("query returned no data");
    expect(r.error).toBeUndefined();
  });

  it("passes NaN (0/0 over no traffic) through as NaN", async () => {
    const s = await serve(200, success("vector", [{ metric: {}, value: [1, "NaN"] }]));
    const r = await provider.measure(metric(s.url), ctx);
    expect(Array.isArray(r.value) && Number.isNaN(r.value[0])).toBe(true);
  });

  it("reports Prometheus' own error type and message", async () => {
    const body = JSON.stringify({ status: "error", errorType: "bad_data", error: "parse error at char 5" });
    const s = await serve(400, body);
    const r = await provider.measure(metric(s.url), ctx);
    expect(r.error).toBe(
      `prometheus at ${s.url}/api/v1/query answered HTTP 400 (bad_data: parse error at char 5); fix the query`,
    );
  });

  it("turns HTTP 500 with a plain body into an error", async () => {
    const s = await serve(500, "internal meltdown", "text/plain");
    const r = await provider.measure(metric(s.url), ctx);
    expect(r.error).toBe(
      `prometheus at ${s.url}/api/v1/query answered HTTP 500 (internal meltdown); check that Prometheus is healthy`,
    );
  });

  it("turns malformed JSON into an error", async () => {
    const s = await serve(200, '{"status":"success","data":');
    const r = await provider.measure(metric(s.url), ctx);
    expect(r.error).toMatch(
      /answered with a body that is not a JSON object .*check that the address points at Prometheus$/,
    );
  });

  it("turns a malformed result into an error", async () => {
    const s = await serve(200, success("vector", [{ metric: {}, value: "oops" }]));
    expect((await provider.measure(metric(s.url), ctx)).error).toMatch(/malformed data \(series 0 of the vector/);
  });

  it("times out on a Prometheus that never answers", async () => {
    server = await startServer(() => {});
    const started = Date.now();
    const r = await provider.measure(metric(server.url, { timeout: "300ms" }), ctx);
    expect(r.error).toBe(
      `prometheus at ${server.url}/api/v1/query timed out after 0.3s; check that it is healthy, or raise the timeout`,
    );
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("reports a refused connection", async () => {
    const port = await closedPort();
    const r = await provider.measure(metric(`http://127.0.0.1:${port}`), ctx);
    expect(r.error).toBe(
      `prometheus at http://127.0.0.1:${port}/api/v1/query refused the connection; check that it is running and the address is right`,
    );
    expect(r.query).toBe(QUERY);
  });

  it("sends bearer, basic and custom headers", async () => {
    const s = await serve(200, success("scalar", [1, "1"]));
    await provider.measure(metric(s.url, { authentication: { bearerToken: "tok-1" } }), ctx);
    await provider.measure(metric(s.url, { authentication: { basic: { username: "u", password: "p w" } } }), ctx);
    await provider.measure(metric(s.url, { headers: [{ key: "X-Scope-OrgID", value: "tenant-7" }] }), ctx);
    expect(s.requests.map((r) => r.headers.authorization)).toEqual([
      "Bearer tok-1",
      `Basic ${Buffer.from("u:p w").toString("base64")}`,
      undefined,
    ]);
    expect(s.requests[2]?.headers["x-scope-orgid"]).toBe("tenant-7");
  });
});
