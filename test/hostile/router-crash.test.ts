import { once } from "node:events";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isAlive } from "../../src/controller/process-util.js";
import { waitFor } from "../helpers/wait.js";
import { config, removeDir, route, send, startBackend, startRouter } from "../router/harness.js";

// Defect 11 of issue 11: a kill -9 of the router under load refused hundreds of requests.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Outcome {
  ok: boolean;
  /** The connection error (ECONNREFUSED, ECONNRESET …), when there was one. */
  code?: string;
  body?: string;
}

/** One GET on a connection of its own: a refused port shows up as ECONNREFUSED, never hidden by a pool. */
function getOnNewConnection(url: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 30_000 }, (res) => {
      let body = "";
      res.on("data", (d) => {
        body += d;
      });
      res.on("end", () => resolve({ ok: res.statusCode === 200, body }));
      res.on("error", (err: NodeJS.ErrnoException) => resolve({ ok: false, code: err.code ?? err.message }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (err: NodeJS.ErrnoException) => resolve({ ok: false, code: err.code ?? err.message }));
    req.end();
  });
}

/** `concurrency` loops sending one request after another until stopped. */
function steadyLoad(url: string, concurrency: number) {
  const outcomes: Outcome[] = [];
  let running = true;
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) outcomes.push(await getOnNewConnection(url));
  });
  return {
    outcomes,
    okCount: () => outcomes.filter((o) => o.ok).length,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

const routerInfo = (stateDir: string) =>
  JSON.parse(readFileSync(path.join(stateDir, "router.json"), "utf8")) as {
    pid: number;
    workerPid: number;
    listen: string;
  };

async function routerWithBackend() {
  const backend = await startBackend("v1");
  cleanups.push(() => backend.close());
  const r = await startRouter();
  cleanups.push(() => removeDir(r.stateDir));
  cleanups.push(() => r.stop());
  await r.client.putConfig(config(1, route("shop", { v1: [backend.endpoint] }, { v1: 100 })));
  return r;
}

describe("a router crash under load", () => {
  it("kill -9 of the serving process refuses no connection: they wait for the next worker", async () => {
    const r = await routerWithBackend();
    const before = routerInfo(r.stateDir);
    expect(before.pid).toBe(r.child.pid);
    const load = steadyLoad(r.url, 4);
    try {
      await waitFor(() => load.okCount() >= 100, { timeoutMs: 30_000, message: "100 answers before the kill" });
      process.kill(before.workerPid, "SIGKILL");
      const killedAt = load.outcomes.length;
      const after = await waitFor(
        () => {
          const info = routerInfo(r.stateDir);
          return info.workerPid !== before.workerPid ? info : undefined;
        },
        { timeoutMs: 30_000, message: "a new worker" },
      );
      await waitFor(() => load.outcomes.slice(killedAt).filter((o) => o.ok).length >= 100, {
        timeoutMs: 30_000,
        message: "100 answers after the kill",
      });
      await load.stop();
      const failed = load.outcomes.filter((o) => !o.ok);
      // Only requests the killed process was handling can fail: at most one per loop.
      expect(failed.length).toBeLessThanOrEqual(4);
      expect(failed.filter((o) => o.code === "ECONNREFUSED")).toEqual([]);
      // Same router, same address, and the saved config in force in the new worker.
      expect(after.pid).toBe(before.pid);
      expect(after.listen).toBe(before.listen);
      expect(load.outcomes.at(-1)?.body).toBe("v1");
    } finally {
      await load.stop();
    }
  });

  it("kill -9 of the router's primary: its worker lets go of the port, and the next router serves there", async () => {
    const r = await routerWithBackend();
    const before = routerInfo(r.stateDir);
    const exited = once(r.child, "exit");
    process.kill(before.pid, "SIGKILL");
    await exited;
    await waitFor(() => !isAlive(before.workerPid), { timeoutMs: 15_000, message: "the orphaned worker to exit" });
    const next = await startRouter({ stateDir: r.stateDir, extraArgs: ["--listen", before.listen] });
    cleanups.push(() => next.stop());
    expect(next.url).toBe(`http://${before.listen}`);
    expect((await send(next.url)).body).toBe("v1");
  });
});
