import { describe, expect, it } from "vitest";
import { Metric } from "../../model/index.js";
import { PrometheusMetricProvider, prometheusHeaders, prometheusRequest } from "./prometheus.js";

function spec(extra: Record<string, unknown> = {}) {
  const m = Metric.parse({
    name: "m",
    provider: { prometheus: { address: "http://127.0.0.1:9090", query: 'up{job="x"}', ...extra } },
  });
  return m.provider.prometheus!;
}

const NOW = 1_700_000_000_000;

describe("prometheusRequest", () => {
  it("builds an instant query with the time in seconds", () => {
    const r = prometheusRequest(spec(), NOW);
    if ("invalid" in r) throw new Error(r.invalid);
    const url = new URL(r.url);
    expect(r.endpoint).toBe("http://127.0.0.1:9090/api/v1/query");
    expect(url.searchParams.get("query")).toBe('up{job="x"}');
    expect(url.searchParams.get("time")).toBe("1700000000");
  });

  it("builds a range query counting back from now", () => {
    const r = prometheusRequest(spec({ range: { start: "5m", end: "1m", step: "30s" } }), NOW);
    if ("invalid" in r) throw new Error(r.invalid);
    const url = new URL(r.url);
    expect(url.pathname).toBe("/api/v1/query_range");
    expect(url.searchParams.get("start")).toBe(String(1_700_000_000 - 300));
    expect(url.searchParams.get("end")).toBe(String(1_700_000_000 - 60));
    expect(url.searchParams.get("step")).toBe("30");
  });

  it("keeps a path prefix on the address", () => {
    const r = prometheusRequest(spec({ address: "https://example.test/prometheus/" }), NOW);
    if ("invalid" in r) throw new Error(r.invalid);
    expect(r.endpoint).toBe("https://example.test/prometheus/api/v1/query");
  });

  it("refuses a range whose start is not before its end", () => {
    expect(prometheusRequest(spec({ range: { start: "1m", end: "1m", step: "1s" } }), NOW)).toEqual({
      invalid: "range.start must reach further back than range.end",
    });
    expect(prometheusRequest(spec({ range: { start: "1m", step: 0 } }), NOW)).toEqual({
      invalid: "range.step must be longer than 0s",
    });
  });
});

describe("prometheusHeaders", () => {
  it("sends a bearer token", () => {
    expect(prometheusHeaders(spec({ authentication: { bearerToken: "t0k" } })).authorization).toBe("Bearer t0k");
  });

  it("sends basic auth", () => {
    const h = prometheusHeaders(spec({ authentication: { basic: { username: "u", password: "p" } } }));
    expect(h.authorization).toBe(`Basic ${Buffer.from("u:p").toString("base64")}`);
  });

  it("sends custom headers, lower-cased", () => {
    const h = prometheusHeaders(spec({ headers: [{ key: "X-Scope-OrgID", value: "team-a" }] }));
    expect(h["x-scope-orgid"]).toBe("team-a");
    expect(h.authorization).toBeUndefined();
  });
});

describe("PrometheusMetricProvider", () => {
  it("returns an error for a metric that is not a prometheus metric", async () => {
    const m = Metric.parse({ name: "w", provider: { web: { url: "http://127.0.0.1:1/" } } });
    const r = await new PrometheusMetricProvider().measure(m, { args: {}, rollout: "r", canaryRevision: "c" });
    expect(r.error).toMatch(/has no prometheus provider/);
  });

  it("does not send an invalid range and records the query", async () => {
    const m = Metric.parse({
      name: "m",
      provider: {
        prometheus: { address: "http://127.0.0.1:1", query: "up", range: { start: "1s", end: "2s", step: "1s" } },
      },
    });
    const r = await new PrometheusMetricProvider(() => NOW).measure(m, { args: {}, rollout: "r", canaryRevision: "c" });
    expect(r.error).toMatch(/^prometheus query not sent: range.start/);
    expect(r.query).toBe("up");
  });
});
