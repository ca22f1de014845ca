import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { HttpProbe } from "../../../model/workload.js";
import { httpProbe, ProbeCounter, probeSettings, runProbe, tcpProbe } from "./probe.js";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<number> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** A port that nothing listens on: bind one, then close it. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe("probeSettings", () => {
  it("converts a template probe to milliseconds, with Kubernetes defaults", () => {
    expect(probeSettings(HttpProbe.parse({ httpGet: { path: "/ready" } }))).toEqual({
      path: "/ready",
      initialDelayMs: 0,
      periodMs: 1000,
      timeoutMs: 1000,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(
      probeSettings(
        HttpProbe.parse({
          httpGet: { path: "/healthz", port: 9999 },
          initialDelaySeconds: 2,
          periodSeconds: 0.5,
          timeoutSeconds: 3,
          successThreshold: 2,
          failureThreshold: 5,
        }),
      ),
    ).toEqual({
      path: "/healthz",
      initialDelayMs: 2000,
      periodMs: 500,
      timeoutMs: 3000,
      successThreshold: 2,
      failureThreshold: 5,
    });
  });

  it("falls back to a TCP check every second without a probe", () => {
    expect(probeSettings(undefined)).toMatchObject({ path: undefined, periodMs: 1000 });
  });
});

describe("ProbeCounter", () => {
  it("needs successThreshold passes in a row to go up and failureThreshold failures to go down", () => {
    const c = new ProbeCounter(2, 3);
    expect(c.record(true)).toBeUndefined();
    expect(c.record(false)).toBeUndefined();
    expect(c.record(true)).toBeUndefined();
    expect(c.record(true)).toBe("up");
    expect(c.passing).toBe(true);
    expect([c.record(false), c.record(false), c.record(true)]).toEqual([undefined, undefined, undefined]);
    expect([c.record(false), c.record(false), c.record(false)]).toEqual([undefined, undefined, "down"]);
    expect(c.passing).toBe(false);
  });

  it("starts passing for liveness", () => {
    const c = new ProbeCounter(1, 2, true);
    expect(c.record(true)).toBeUndefined();
    expect(c.record(false)).toBeUndefined();
    expect(c.record(false)).toBe("down");
  });
});

describe("httpProbe", () => {
  it("passes on 2xx and 3xx, fails on other statuses, naming the status", async () => {
    const port = await serve((req, res) => {
      res.statusCode = Number(req.url?.slice(1));
      res.end();
    });
    expect(await httpProbe(port, "/200", 1000)).toEqual({ ok: true, detail: "GET /200: 200" });
    expect(await httpProbe(port, "/302", 1000)).toEqual({ ok: true, detail: "GET /302: 302" });
    expect(await httpProbe(port, "/503", 1000)).toEqual({ ok: false, detail: "GET /503: 503" });
    expect(await httpProbe(port, "/404", 1000)).toEqual({ ok: false, detail: "GET /404: 404" });
  });

  it("fails when nothing answers in time", async () => {
    const port = await serve(() => {});
    const t0 = performance.now();
    expect(await httpProbe(port, "/ready", 150)).toEqual({ ok: false, detail: "GET /ready: no answer within 150 ms" });
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it("fails on a refused connection", async () => {
    expect(await httpProbe(await closedPort(), "/ready", 1000)).toEqual({
      ok: false,
      detail: "GET /ready: ECONNREFUSED",
    });
  });
});

describe("tcpProbe and runProbe", () => {
  it("passes when the port accepts a connection and fails when it does not", async () => {
    const port = await serve((_req, res) => res.end());
    expect((await tcpProbe(port, 1000)).ok).toBe(true);
    expect(await runProbe(port, probeSettings(undefined))).toMatchObject({ ok: true });
    const closed = await closedPort();
    expect(await tcpProbe(closed, 1000)).toEqual({ ok: false, detail: `TCP connect to port ${closed}: ECONNREFUSED` });
  });

  it("runs an HTTP probe when the settings have a path", async () => {
    const port = await serve((req, res) => {
      res.statusCode = req.url === "/ready" ? 503 : 200;
      res.end();
    });
    expect(await runProbe(port, probeSettings(HttpProbe.parse({ httpGet: { path: "/ready" } })))).toEqual({
      ok: false,
      detail: "GET /ready: 503",
    });
  });
});
