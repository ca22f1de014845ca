import { Worker } from "node:worker_threads";

/** What a {@link HealthzWatch} saw: every answer's time, and every probe that failed or was slow. */
export interface HealthzStats {
  probes: number;
  maxMs: number;
  p99Ms: number;
  /** Probes that got no 200 within the limit: `"<ISO time> <ms> ms: <why>"`, the first 20 kept. */
  failures: string[];
  failureCount: number;
}

// Runs in a worker thread with its own event loop, so the test's own work (linting a 64 KB string,
// building cases) never delays a probe and is never blamed on the controller.
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { url, intervalMs, limitMs } = workerData;
const times = [];
const failures = [];
let failureCount = 0;
let stopping = false;
const fail = (ms, why) => {
  failureCount++;
  if (failures.length < 20) failures.push(new Date().toISOString() + " " + Math.round(ms) + " ms: " + why);
};
async function probe() {
  const started = performance.now();
  try {
    // Twice the limit before giving up, so a slow answer is measured, not only cut off.
    const res = await fetch(url, { signal: AbortSignal.timeout(limitMs * 2) });
    await res.text();
    const ms = performance.now() - started;
    times.push(ms);
    if (res.status !== 200) fail(ms, "HTTP " + res.status);
    else if (ms > limitMs) fail(ms, "slower than " + limitMs + " ms");
  } catch (err) {
    const ms = performance.now() - started;
    times.push(ms);
    fail(ms, String(err && err.cause ? err.cause.code || err.cause.message : err));
  }
}
function report() {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] || 0;
  return { probes: times.length, maxMs: sorted.at(-1) || 0, p99Ms: at(0.99), failures: [...failures], failureCount };
}
parentPort.on("message", (m) => {
  if (m === "stop") stopping = true;
  else parentPort.postMessage(report());
});
(async () => {
  while (!stopping) {
    const next = performance.now() + intervalMs;
    await probe();
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
  }
  parentPort.postMessage(report());
})();
`;

/**
 * Probes `GET <apiUrl>/healthz` every `intervalMs` from a worker thread until stopped, and records
 * how long each answer took. A probe fails when it gets no 200 within `limitMs`.
 */
export class HealthzWatch {
  private readonly worker: Worker;

  constructor(apiUrl: string, opts: { intervalMs?: number; limitMs?: number } = {}) {
    this.worker = new Worker(WORKER, {
      eval: true,
      workerData: {
        url: `${apiUrl.replace(/\/+$/, "")}/healthz`,
        intervalMs: opts.intervalMs ?? 50,
        limitMs: opts.limitMs ?? 1000,
      },
    });
  }

  /** The figures so far; the watch keeps going. */
  snapshot(): Promise<HealthzStats> {
    return this.ask("report");
  }

  /** Ends the watch once the probe in flight has answered, with the final figures. */
  async stop(): Promise<HealthzStats> {
    const stats = await this.ask("stop");
    await this.worker.terminate();
    return stats;
  }

  private ask(message: "report" | "stop"): Promise<HealthzStats> {
    return new Promise((resolve, reject) => {
      const onMessage = (stats: HealthzStats) => {
        this.worker.off("error", onError);
        resolve(stats);
      };
      const onError = (err: Error) => {
        this.worker.off("message", onMessage);
        reject(err);
      };
      this.worker.once("message", onMessage);
      this.worker.once("error", onError);
      this.worker.postMessage(message);
    });
  }
}
