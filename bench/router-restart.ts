/**
 * Router restart: kill -9 the router under a steady load of 150 req/s to 127.0.0.1 and measure,
 * per round, how long until it serves again and how many user requests failed meanwhile (refused,
 * reset, or 5xx). The controller runs in this process (as `sluice up` would), watching the router
 * and starting it again; three demo replicas serve behind it.
 *
 *   npx tsx bench/router-restart.ts [--rounds 5] [--rate 150] [--kill router|worker]
 *
 * `--kill worker` kills the process that serves requests instead of the one in router.pid (they
 * are the same process unless the router runs a serving worker under a supervising primary).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Pool } from "undici";
import { renderTable } from "../src/cli/format/table.js";
import { startLocalRuntime } from "../src/controller/local-runtime.js";
import type { Rollout } from "../src/model/index.js";
import { describeMachine } from "./lib/machine.js";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    rate: { type: "string", default: "150" },
    kill: { type: "string", default: "router" },
  },
});
const RATE = Number(values.rate);
const REPO = fileURLToPath(new URL("../", import.meta.url));

/** Three replicas of the demo app behind the router's `demo` host; no steps, nothing to analyse. */
const rollout = {
  apiVersion: "sluice.dev/v1alpha1",
  kind: "Rollout",
  metadata: { name: "demo" },
  spec: {
    replicas: 3,
    template: {
      process: {
        command: process.execPath,
        args: ["--import", "tsx", "demo/app/server.ts"],
        cwd: REPO,
        readinessProbe: { httpGet: { path: "/ready" }, periodSeconds: 0.5 },
      },
    },
    strategy: { canary: { steps: [] } },
  },
};

interface Sample {
  sentAt: number;
  doneAt: number;
  ok: boolean;
}

/** A clock-paced load (not paced by answers, so a dead router does not slow it down). */
function steadyLoad(url: string): { samples: Sample[]; stop: () => Promise<void> } {
  const pool = new Pool(url, { connections: 64, keepAliveTimeout: 10_000 });
  const samples: Sample[] = [];
  const pending = new Set<Promise<void>>();
  const start = Date.now();
  let sent = 0;
  const one = async () => {
    const sentAt = Date.now();
    let ok = false;
    try {
      const res = await pool.request({
        path: "/",
        method: "GET",
        headers: { host: "demo" },
        headersTimeout: 20_000,
        bodyTimeout: 20_000,
      });
      await res.body.dump();
      ok = res.statusCode < 500;
    } catch {
      ok = false;
    }
    samples.push({ sentAt, doneAt: Date.now(), ok });
  };
  const timer = setInterval(() => {
    const owed = Math.floor(((Date.now() - start) / 1000) * RATE) - sent;
    for (let i = 0; i < owed; i++) {
      sent++;
      const p = one().finally(() => pending.delete(p));
      pending.add(p);
    }
  }, 5);
  return {
    samples,
    async stop() {
      clearInterval(timer);
      await Promise.allSettled([...pending]);
      await pool.close();
    },
  };
}

function servingPid(stateDir: string, which: string): number {
  const info = JSON.parse(readFileSync(path.join(stateDir, "router.json"), "utf8")) as {
    pid: number;
    workerPid?: number;
  };
  return which === "worker" ? (info.workerPid ?? info.pid) : info.pid;
}

async function until<T>(cond: () => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const stateDir = mkdtempSync(path.join(os.tmpdir(), "sluice-bench-restart-"));
const runtime = await startLocalRuntime({ stateDir, listen: "127.0.0.1:0" });
const rows: string[][] = [];
try {
  await runtime.controller.apply([rollout]);
  await until(
    () => {
      const r = runtime.controller.get("Rollout", "demo") as Rollout | undefined;
      return r?.status?.phase === "Healthy";
    },
    60_000,
    "demo rollout healthy",
  );
  for (let i = 1; i <= Number(values.rounds); i++) {
    const load = steadyLoad(runtime.routerUrl);
    await new Promise((r) => setTimeout(r, 2_000));
    const pid = servingPid(stateDir, values.kill);
    const killedAt = Date.now();
    process.kill(pid, "SIGKILL");
    // Give the outage time to show, then find its end.
    await new Promise((r) => setTimeout(r, 3_000));
    // Serving again: the good answer to the first request sent after the kill and after the last
    // failed one (a dying router may still answer a few requests). Requests that waited in the
    // backlog count from the kill until their answer.
    const back = await until(
      () => {
        const lastFailed = Math.max(killedAt, ...load.samples.filter((s) => !s.ok).map((s) => s.sentAt));
        return load.samples.find((s) => s.ok && s.sentAt > lastFailed);
      },
      30_000,
      "the router serving again",
    );
    await load.stop();
    const after = load.samples.filter((s) => s.sentAt >= killedAt - 1_000);
    const failed = load.samples.filter((s) => !s.ok).length;
    const slowest = Math.max(...after.filter((s) => s.ok).map((s) => s.doneAt - s.sentAt));
    rows.push([
      String(i),
      String(load.samples.length),
      ((back.doneAt - killedAt) / 1000).toFixed(2),
      String(failed),
      (slowest / 1000).toFixed(2),
    ]);
  }
} finally {
  if (process.env.SLUICE_BENCH_LOG) console.log(readFileSync(path.join(stateDir, "logs", "router.log"), "utf8"));
  await runtime.stop({ stopDataPlane: true });
  rmSync(stateDir, { recursive: true, force: true });
}
const m = describeMachine();
console.log(`machine: ${m.nproc} cores, ${m.cpu}, node ${m.node}, load ${m.loadAverage}`);
console.log(`kill -9 of the ${values.kill} process under ${RATE} req/s`);
console.log(renderTable(["ROUND", "REQUESTS", "KILL → SERVING (s)", "FAILED", "SLOWEST OK (s)"], rows));
