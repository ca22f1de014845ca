import { hostname } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./test-server.js";

let current: TestServer | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

async function start(...args: Parameters<typeof startTestServer>): Promise<TestServer> {
  current = await startTestServer(...args);
  return current;
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

describe("demo app endpoints", () => {
  it("describes itself at /", async () => {
    const s = await start({ VERSION: "2.0" });
    const { status, body } = await getJson(`${s.url}/`);
    expect(status).toBe(200);
    expect(body).toEqual({ service: "sluice-demo", version: "2.0", hostname: hostname(), pid: process.pid });
  });

  it("answers /health and /version", async () => {
    const s = await start({ VERSION: "2.1" });
    expect((await getJson(`${s.url}/health`)).status).toBe(200);
    const version = await getJson(`${s.url}/version`);
    expect(version.body).toEqual({
      version: "2.1",
      features: { "experimental-features": true, "unstable-features": true, "beta-features": true },
    });
  });

  it("serves FEATURES when set", async () => {
    const s = await start({ FEATURES: '{"dark-mode":true}' });
    expect((await getJson(`${s.url}/version`)).body.features).toEqual({ "dark-mode": true });
  });

  it("is not ready until READY_DELAY_MS has passed, and not ready again once shutting down", async () => {
    let now = 1_000;
    const s = await start({ READY_DELAY_MS: "500" }, { now: () => now });
    const first = await getJson(`${s.url}/ready`);
    expect(first.status).toBe(503);
    expect(first.body.status).toBe("starting");
    now += 499;
    expect((await getJson(`${s.url}/ready`)).status).toBe(503);
    now += 1;
    expect((await getJson(`${s.url}/ready`)).status).toBe(200);
    s.app.beginShutdown();
    const after = await getJson(`${s.url}/ready`);
    expect(after.status).toBe(503);
    expect(after.body.status).toBe("shutting down");
    expect(after.headers.get("connection")).toBe("close");
  });

  it("returns a data payload, a 500 at /api/error and a 404 elsewhere", async () => {
    const s = await start();
    const data = await getJson(`${s.url}/api/data`);
    expect(data.status).toBe(200);
    expect(data.body.items).toHaveLength(3);
    expect((await getJson(`${s.url}/api/error`)).status).toBe(500);
    const missing = await getJson(`${s.url}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toContain("/nope");
  });

  it("sleeps at /api/slow for ?ms=, or five times LATENCY_MS", async () => {
    const s = await start({ LATENCY_MS: "30" });
    let t0 = performance.now();
    const res = await getJson(`${s.url}/api/slow?ms=120`);
    expect(res.body.sleptMs).toBe(120);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(115);
    t0 = performance.now();
    expect((await getJson(`${s.url}/api/slow`)).body.sleptMs).toBe(150);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(145);
    expect((await getJson(`${s.url}/api/slow?ms=abc`)).status).toBe(400);
  });

  it("adds LATENCY_MS plus jitter to / and /api/*, not to probes", async () => {
    const s = await start({ LATENCY_MS: "1000", LATENCY_JITTER_MS: "100" }, { random: () => 1 });
    const t0 = performance.now();
    await getJson(`${s.url}/api/data`);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(1095);
    const t1 = performance.now();
    await getJson(`${s.url}/health`);
    // Well under the 1 s of added latency, with room for a busy machine.
    expect(performance.now() - t1).toBeLessThan(800);
  });
});

describe("ERROR_RATE", () => {
  it("fails exactly round(rate * N) of the first N requests to / and /api/data", async () => {
    const s = await start({ ERROR_RATE: "0.25" });
    let failed = 0;
    for (let n = 1; n <= 40; n++) {
      const res = await fetch(`${s.url}${n % 2 === 0 ? "/" : "/api/data"}`);
      await res.arrayBuffer();
      if (res.status === 500) failed += 1;
      else expect(res.status).toBe(200);
      expect(failed).toBe(Math.floor(n * 0.25 + 0.5));
    }
    expect(failed).toBe(10);
  });

  it("never fails at 0 and always fails at 1", async () => {
    const never = await start({ ERROR_RATE: "0" });
    for (let i = 0; i < 10; i++) expect((await fetch(`${never.url}/`)).status).toBe(200);
    await never.close();
    const always = await start({ ERROR_RATE: "1" });
    for (let i = 0; i < 10; i++) expect((await fetch(`${always.url}/api/data`)).status).toBe(500);
  });

  it("does not touch the probe endpoints", async () => {
    const s = await start({ ERROR_RATE: "1" });
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    expect((await fetch(`${s.url}/ready`)).status).toBe(200);
    expect((await fetch(`${s.url}/version`)).status).toBe(200);
  });
});
