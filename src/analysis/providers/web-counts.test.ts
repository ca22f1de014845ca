import { createServer, type Server } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EvidenceLook, Metric } from "../../model/index.js";
import { INF_LE } from "./prometheus-counts.js";
import { WebMetricProvider } from "./web.js";
import { readWebCounts, timestampMs, webSpecFor } from "./web-counts.js";

const NOW = Date.parse("2026-12-04T12:00:00Z");

function metric(web: Record<string, unknown>, judge: Record<string, unknown> = { errorRate: {} }) {
  return Metric.parse({ name: "errors", provider: { web }, judge });
}
const counts = (extra: Record<string, unknown> = {}) =>
  metric({ url: "http://127.0.0.1:1/{{revision}}", counts: { requests: "$.requests", errors: "$.errors", ...extra } })
    .provider.web?.counts ?? { requests: "", maxSampleAge: "1m" };
const errorJudge = metric({ url: "http://x/{{revision}}", counts: { requests: "$.r", errors: "$.e" } }).judge!;
const latencyJudge = metric(
  { url: "http://x/{{revision}}", counts: { requests: "$.r", buckets: "$.b" } },
  { latency: {} },
).judge!;

describe("web counts in the model", () => {
  it("needs {{revision}} in the url or body, and the count the judge reads", () => {
    expect(() => metric({ url: "http://x/counts", counts: { requests: "$.r", errors: "$.e" } })).toThrow(
      /put \{\{revision\}\} in the url or body/,
    );
    expect(() =>
      metric({
        url: "http://x/",
        method: "POST",
        jsonBody: { rev: "{{revision}}" },
        counts: { requests: "$.r", errors: "$.e" },
      }),
    ).not.toThrow();
    expect(() => metric({ url: "http://x/{{revision}}", counts: { requests: "$.r" } })).toThrow(/needs counts.errors/);
    expect(() => metric({ url: "http://x/{{revision}}", jsonPath: "$.r" })).toThrow(/per-revision counts/);
  });

  it("bounds every field", () => {
    const long = "$".padEnd(70_000, "a");
    expect(() => metric({ url: "http://x/{{revision}}", counts: { requests: long, errors: "$.e" } })).toThrow();
  });
});

describe("web counts in the model: any input", () => {
  it("is accepted within bounds or refused with an issue, never a crash", () => {
    const text = fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom("{$.r}", "$.e", "", "{{revision}}"));
    fc.assert(
      fc.property(
        fc.record(
          { requests: text, errors: text, buckets: text, timestamp: text, maxSampleAge: fc.oneof(text, fc.integer()) },
          { requiredKeys: [] },
        ),
        fc.oneof(text, fc.constant("http://x/{{revision}}")),
        (counts, url) => {
          const parsed = Metric.safeParse({ name: "m", provider: { web: { url, counts } }, judge: { errorRate: {} } });
          if (!parsed.success) return;
          const c = parsed.data.provider.web?.counts;
          expect(c?.requests.length).toBeGreaterThan(0);
          expect(c?.errors?.length).toBeGreaterThan(0);
          expect(parsed.data.provider.web?.url).toMatch(/\{\{\s*revision\s*\}\}/);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("webSpecFor", () => {
  it("puts the revision in the url, body and JSON body, escaped inside JSON", () => {
    const spec = metric({
      url: "http://x/{{ revision }}/counts",
      method: "POST",
      body: "rev={{revision}}",
      jsonBody: { r: ["{{revision}}"] },
      counts: { requests: "$.r", errors: "$.e" },
    }).provider.web!;
    const s = webSpecFor(spec, 'a"b');
    expect(s.url).toBe('http://x/a"b/counts');
    expect(s.body).toBe('rev=a"b');
    expect(s.jsonBody).toEqual({ r: ['a"b'] });
  });
});

describe("readWebCounts", () => {
  it("reads requests and errors, numeric strings too", () => {
    expect(readWebCounts({ requests: 120, errors: "3" }, counts(), errorJudge, NOW)).toEqual({
      requests: 120,
      errors: 3,
    });
  });

  it("is inconclusive on a missing, negative or impossible count, never a verdict", () => {
    expect(readWebCounts({ requests: 10 }, counts(), errorJudge, NOW)).toHaveProperty("inconclusive");
    expect(readWebCounts({ requests: -1, errors: 0 }, counts(), errorJudge, NOW)).toHaveProperty("inconclusive");
    expect(readWebCounts({ requests: null, errors: 0 }, counts(), errorJudge, NOW)).toHaveProperty("inconclusive");
    expect(readWebCounts({ requests: 5, errors: 6 }, counts(), errorJudge, NOW)).toHaveProperty("inconclusive");
    // An answer's object that cannot be turned into a string (found by the property below).
    expect(readWebCounts({ requests: { toString: 0 }, errors: 0 }, counts(), errorJudge, NOW)).toHaveProperty(
      "inconclusive",
    );
  });

  it("is inconclusive on stale counts and on a timestamp it cannot read", () => {
    const c = counts({ timestamp: "$.at", maxSampleAge: "30s" });
    const fresh = { requests: 10, errors: 1, at: (NOW - 10_000) / 1000 };
    expect(readWebCounts(fresh, c, errorJudge, NOW)).toEqual({ requests: 10, errors: 1 });
    const old = { requests: 10, errors: 1, at: new Date(NOW - 45_000).toISOString() };
    expect(readWebCounts(old, c, errorJudge, NOW)).toMatchObject({
      inconclusive: expect.stringMatching(/stale data: the counts are 45 s old/),
    });
    expect(readWebCounts({ requests: 10, errors: 1, at: "soon" }, c, errorJudge, NOW)).toHaveProperty("inconclusive");
    expect(readWebCounts({ requests: 10, errors: 1 }, c, errorJudge, NOW)).toHaveProperty("inconclusive");
  });

  it("reads latency buckets, sorted, with +Inf as the largest bound", () => {
    const c = { requests: "$.r", buckets: "$.b", maxSampleAge: "1m" };
    const body = {
      r: 10,
      b: [
        { le: "+Inf", count: 10 },
        { le: 0.1, count: 7 },
      ],
    };
    expect(readWebCounts(body, c, latencyJudge, NOW)).toEqual({
      requests: 10,
      errors: 0,
      buckets: [
        { le: 0.1, count: 7 },
        { le: INF_LE, count: 10 },
      ],
    });
    expect(readWebCounts({ r: 10, b: { le: 1 } }, c, latencyJudge, NOW)).toHaveProperty("inconclusive");
  });

  it("says which path does not parse", () => {
    expect(readWebCounts({}, { ...counts(), requests: "a.b" }, errorJudge, NOW)).toMatchObject({
      error: expect.stringMatching(/counts.requests a.b cannot be read/),
    });
  });

  it("never throws, and what it accepts is valid evidence, whatever the endpoint answers", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), fc.jsonValue(), (requests, errors, at) => {
        const body = { requests, errors, at };
        const r = readWebCounts(body, counts({ timestamp: "$.at" }), errorJudge, NOW);
        if ("requests" in r) {
          expect(Number.isFinite(r.requests) && r.requests >= 0).toBe(true);
          expect(r.errors).toBeLessThanOrEqual(r.requests);
          expect(timestampMs(at)).toBeDefined();
        } else expect("inconclusive" in r || "error" in r).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe("the web provider's counts against a real HTTP server", () => {
  // Per revision: cumulative requests and errors, and when they were counted.
  const state: Record<string, { requests: number; errors: number; at: number } | "garbage"> = {};
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const rev = decodeURIComponent((req.url ?? "").split("/").at(-1) ?? "");
      const s = state[rev];
      if (s === undefined) {
        res.statusCode = 404;
        res.end("unknown revision");
      } else res.end(s === "garbage" ? "<html>oops</html>" : JSON.stringify({ data: s }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const judged = () =>
    metric({
      url: `${base}/counts/{{revision}}`,
      counts: { requests: "$.data.requests", errors: "$.data.errors", timestamp: "$.data.at", maxSampleAge: "10s" },
    });
  const ctx = { args: {}, rollout: "web", canaryRevision: "c1", stableRevision: "s1" };

  it("takes one look at both revisions", async () => {
    state.c1 = { requests: 200, errors: 9, at: Date.now() / 1000 };
    state.s1 = { requests: 400, errors: 2, at: Date.now() / 1000 };
    const r = await new WebMetricProvider().measure(judged(), ctx);
    const look = EvidenceLook.parse(r.value);
    expect(look.canary).toEqual({ requests: 200, errors: 9 });
    expect(look.baseline).toEqual({ requests: 400, errors: 2 });
    expect(r.query).toContain("canary=c1 stable=s1");
  });

  it("is inconclusive when one revision's counts are stale, and an error when the answer is not JSON", async () => {
    state.c1 = { requests: 200, errors: 9, at: Date.now() / 1000 - 60 };
    const stale = await new WebMetricProvider().measure(judged(), ctx);
    expect(stale.inconclusive).toMatch(/^c1: stale data/);
    expect(stale.value).toBeUndefined();
    state.c1 = "garbage";
    expect((await new WebMetricProvider().measure(judged(), ctx)).error).toMatch(/not JSON/);
    expect((await new WebMetricProvider().measure(judged(), { ...ctx, canaryRevision: "nope" })).error).toMatch(
      /HTTP 404/,
    );
  });

  it("is inconclusive without a stable revision to compare with", async () => {
    const r = await new WebMetricProvider().measure(judged(), { args: {}, rollout: "web", canaryRevision: "c1" });
    expect(r.inconclusive).toMatch(/no stable revision/);
  });
});
