import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebMetricProvider } from "../../src/analysis/providers/web.js";
import { Metric } from "../../src/model/index.js";
import { closedPort, reply, startServer, startTlsServer, type TestServer } from "./servers.js";

const ctx = { args: {}, rollout: "web", canaryRevision: "c1" };
const provider = new WebMetricProvider();

function metric(web: Record<string, unknown>) {
  return Metric.parse({ name: "web-check", provider: { web } });
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("web provider against a real HTTP server", () => {
  it("GETs JSON and selects a value, recording the exact URL", async () => {
    server = await startServer((_req, res) => reply(res, 200, JSON.stringify({ data: { ok: true, rate: 0.97 } })));
    const url = `${server.url}/health?canary=c1`;
    const r = await provider.measure(metric({ url, jsonPath: "{$.data.rate}" }), ctx);
    expect(r).toEqual({ value: 0.97, query: `GET ${url}` });
    expect(server.requests[0]?.url).toBe("/health?canary=c1");
  });

  it("POSTs a JSON body with custom headers", async () => {
    server = await startServer((req, res) => reply(res, 200, JSON.stringify({ echoed: JSON.parse(req.body) })));
    const r = await provider.measure(
      metric({
        url: `${server.url}/q`,
        method: "POST",
        jsonBody: { rollout: "web" },
        headers: [{ key: "X-Team", value: "a" }],
      }),
      ctx,
    );
    expect(r.value).toEqual({ echoed: { rollout: "web" } });
    const seen = server.requests[0];
    expect(seen?.method).toBe("POST");
    expect(seen?.headers["content-type"]).toBe("application/json");
    expect(seen?.headers["x-team"]).toBe("a");
  });

  it("PUTs a raw body", async () => {
    server = await startServer((req, res) => reply(res, 200, req.body, "text/plain"));
    const r = await provider.measure(metric({ url: server.url, method: "PUT", body: "42" }), ctx);
    expect(r.value).toBe(42);
    expect(server.requests[0]?.method).toBe("PUT");
  });

  it("turns HTTP 500 into an error carrying the status and body", async () => {
    server = await startServer((_req, res) => reply(res, 500, "database is down", "text/plain"));
    const r = await provider.measure(metric({ url: `${server.url}/x` }), ctx);
    expect(r.error).toBe(`web endpoint GET ${server.url}/x answered HTTP 500 (database is down); check the endpoint`);
    expect(r.value).toBeUndefined();
  });

  it("turns malformed JSON into an error", async () => {
    server = await startServer((_req, res) => reply(res, 200, '{"ok": tru'));
    const r = await provider.measure(metric({ url: server.url }), ctx);
    expect(r.error).toMatch(/answered with malformed JSON/);
  });

  it("turns a selector that matches nothing into an error", async () => {
    server = await startServer((_req, res) => reply(res, 200, "{}"));
    const r = await provider.measure(metric({ url: server.url, jsonPath: "$.data.ok" }), ctx);
    expect(r.error).toMatch(/without a value at jsonPath \$\.data\.ok \(\$ has no key "data"\)/);
  });

  it("calls an empty body inconclusive", async () => {
    server = await startServer((_req, res) => reply(res, 200, "", "text/plain"));
    const r = await provider.measure(metric({ url: server.url }), ctx);
    expect(r.inconclusive).toBe("response body was empty");
    expect(r.error).toBeUndefined();
  });

  it("passes NaN through as NaN, for the conditions to call inconclusive", async () => {
    server = await startServer((_req, res) => reply(res, 200, "NaN\n", "text/plain"));
    const r = await provider.measure(metric({ url: server.url }), ctx);
    expect(r.value).toBeNaN();
  });

  it("times out on a server that never answers", async () => {
    server = await startServer(() => {});
    const started = Date.now();
    const r = await provider.measure(metric({ url: server.url, timeoutSeconds: 0.3 }), ctx);
    expect(r.error).toBe(
      `web endpoint GET ${server.url} timed out after 0.3s; check that it is healthy, or raise the timeout`,
    );
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("stops waiting when the measurement is cancelled", async () => {
    server = await startServer(() => {});
    const r = await provider.measure(metric({ url: server.url }), { ...ctx, signal: AbortSignal.timeout(100) });
    expect(r.error).toMatch(/cancelled/);
  });

  it("reports a refused connection", async () => {
    const port = await closedPort();
    const r = await provider.measure(metric({ url: `http://127.0.0.1:${port}/` }), ctx);
    expect(r.error).toBe(
      `web endpoint GET http://127.0.0.1:${port}/ refused the connection; check that it is running and the address is right`,
    );
  });
});

describe("web provider over TLS with a self-signed certificate", () => {
  let dir = "";
  let tls: { key: string; cert: string };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sluice-tls-"));
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    await execa("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
    ]);
    tls = { key: await readFile(key, "utf8"), cert: await readFile(cert, "utf8") };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses the certificate unless insecure is set", async () => {
    server = await startTlsServer(tls, (_req, res) => reply(res, 200, '{"ok":true}'));
    const refused = await provider.measure(metric({ url: server.url }), ctx);
    expect(refused.error).toMatch(/failed TLS verification .*set insecure: true/);
    const accepted = await provider.measure(metric({ url: server.url, insecure: true, jsonPath: "$.ok" }), ctx);
    expect(accepted).toEqual({ value: true, query: `GET ${server.url}` });
  });
});
