import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../helpers/wait.js";
import {
  type Answer,
  config,
  load,
  type RouterProcess,
  removeDir,
  route,
  send,
  startBackend,
  startRouter,
  tally,
} from "./harness.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function router(stateDir?: string): Promise<RouterProcess> {
  const r = await startRouter(stateDir ? { stateDir } : {});
  cleanups.push(() => r.stop());
  return r;
}

/** A backend in its own process, so the test can kill it like a crashing replica. */
async function spawnBackend(name: string): Promise<{ child: ChildProcess; endpoint: string }> {
  const script = `
    const http = require("node:http");
    const server = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => setTimeout(() => res.end(process.argv[1]), 2));
    });
    server.listen(0, "127.0.0.1", () => console.log(server.address().port));
  `;
  const child = spawn(process.execPath, ["-e", script, name], { stdio: ["ignore", "pipe", "inherit"] });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  const [line] = (await once(child.stdout!, "data")) as [Buffer];
  return { child, endpoint: `127.0.0.1:${Number(line.toString().trim())}` };
}

describe("router resilience", () => {
  it("resumes the persisted config after a restart", async () => {
    const backend = await startBackend("v1");
    cleanups.push(() => backend.close());
    const first = await router();
    const cfg = config(42, route("shop", { v1: [backend.endpoint] }, { v1: 100 }));
    await first.client.putConfig(cfg);
    expect(existsSync(path.join(first.stateDir, "router-config.json"))).toBe(true);
    await first.stop();
    expect(existsSync(path.join(first.stateDir, "router.pid"))).toBe(false);

    const second = await router(first.stateDir);
    cleanups.push(() => removeDir(first.stateDir));
    expect(await second.client.getConfig()).toEqual(cfg);
    expect((await send(second.url)).body).toBe("v1");
    await expect(second.client.putConfig(config(41, route("shop", {}, {})))).rejects.toMatchObject({ status: 409 });
  });

  it("keeps idempotent GETs succeeding when a backend is killed mid-load", async () => {
    const [a, b] = await Promise.all([spawnBackend("a"), spawnBackend("b")]);
    const r = await router();
    cleanups.push(() => removeDir(r.stateDir));
    await r.client.putConfig(config(1, route("shop", { v1: [a.endpoint, b.endpoint] }, { v1: 100 })));

    const answers: Promise<Answer[]> = load(r.url, 3000, { concurrency: 16 });
    // Kill one replica while requests are in flight on it.
    await waitFor(
      async () => {
        const t = await r.client.getTelemetry("shop", 60);
        return (t[0]?.requests ?? 0) >= 500;
      },
      { timeoutMs: 30_000, intervalMs: 10, message: "500 requests served" },
    );
    a.child.kill("SIGKILL");
    const all = await answers;
    const failed = all.filter((x) => x.status !== 200);
    expect(failed).toEqual([]);
    const counts = tally(all);
    expect(counts.a).toBeGreaterThan(0);
    expect(counts.b).toBeGreaterThan(counts.a ?? 0);
    const [telemetry] = await r.client.getTelemetry("shop", 60);
    expect(telemetry!.byClass.error).toBe(0);
    expect(telemetry!.requests).toBe(3000);
  });

  it("answers 502 and records an error when no endpoint of the revision can be reached", async () => {
    const gone = await startBackend("gone");
    const endpoint = gone.endpoint;
    await gone.close();
    const r = await router();
    cleanups.push(() => removeDir(r.stateDir));
    await r.client.putConfig(config(1, route("shop", { v1: [endpoint] }, { v1: 100 })));
    const a = await send(r.url);
    expect(a.status).toBe(502);
    expect(JSON.parse(a.body)).toMatchObject({ revision: "v1" });
    const [t] = await r.client.getTelemetry("shop", 60);
    expect(t).toMatchObject({ requests: 1, byClass: { error: 1 }, successRate: 0 });
  });

  it("finishes a request in flight when stopped with SIGTERM", async () => {
    const slow = await startBackend("slow", (req, res) => {
      req.resume();
      setTimeout(() => res.end("slow"), 500);
    });
    cleanups.push(() => slow.close());
    const r = await router();
    cleanups.push(() => removeDir(r.stateDir));
    await r.client.putConfig(config(1, route("shop", { v1: [slow.endpoint] }, { v1: 100 })));
    const pending = send(r.url);
    await waitFor(async () => (await r.client.inflight(slow.endpoint)) === 1, { message: "request in flight" });
    const exited = once(r.child, "exit");
    r.child.kill("SIGTERM");
    expect((await pending).body).toBe("slow");
    await exited;
    expect(r.child.exitCode).toBe(0);
  });
});
