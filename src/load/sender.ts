import { Pool } from "undici";
import type { GeneratedLoad } from "../model/generated-load.js";
import { LoadResults } from "./results.js";
import { plan, type ScheduleState, totalOf } from "./schedule.js";

/** Where a load run stands, reported while it runs. */
export interface LoadProgress {
  elapsedMs: number;
  /** Requests started or skipped. */
  issued: number;
  completed: number;
  errors: number;
  /** Requests the whole run issues; undefined when it runs until stopped. */
  total?: number;
}

/** What a load run needs besides its `load` section. */
export interface LoadRunOptions {
  /** Scheme, host and port the paths are sent to, e.g. `http://127.0.0.1:8080`. Never a path. */
  origin: string;
  load: Pick<GeneratedLoad, "rate" | "concurrency" | "method" | "paths" | "headers" | "body" | "timeoutSeconds"> & {
    /** Run length in ms; undefined: until `signal` aborts. */
    durationMs?: number;
  };
  /** Headers added to every request after the section's own (route header, generated-traffic label). */
  extraHeaders?: Record<string, string>;
  /** Stops the run: nothing more is sent and requests in flight are abandoned (not counted). */
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
  progressEveryMs?: number;
}

/** A finished load run: what it saw and how long it took. */
export interface LoadReport {
  results: LoadResults;
  elapsedMs: number;
  /** Requests started (sent), not counting those skipped as missed. */
  sent: number;
  /** True when the run ended by its signal rather than its duration. */
  stopped: boolean;
}

/** A failed request's reason in a few words users know from curl and hey. */
export function failureReason(err: unknown): string {
  const code = (err as { code?: string }).code ?? "";
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT")
    return "timeout";
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE") return "connection reset";
  return code || (err as Error).name || "error";
}

/**
 * Sends a load section's requests to `origin` at its rate (see schedule.ts) over at most
 * `concurrency` connections, and resolves when the duration is over and every request has been
 * answered, or at once when `signal` aborts.
 */
export async function runLoad(opts: LoadRunOptions): Promise<LoadReport> {
  const { load } = opts;
  const pool = new Pool(opts.origin, { connections: load.concurrency, pipelining: 1 });
  const results = new LoadResults();
  const timeoutMs = load.timeoutSeconds * 1000;
  const headers = { ...load.headers, ...opts.extraHeaders };
  const startedAt = performance.now();
  const state: ScheduleState = {
    startedAt,
    rate: load.rate,
    ...(load.durationMs !== undefined ? { durationMs: load.durationMs } : {}),
    issued: 0,
    inFlight: 0,
    concurrency: load.concurrency,
  };
  const total = load.durationMs !== undefined ? totalOf(load.rate, load.durationMs) : undefined;
  const abandon = new AbortController();
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  let issuing = true;
  let stopped = false;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const maybeFinish = () => {
    if (stopped || (!issuing && state.inFlight === 0)) finish();
  };

  const send = (path: string) => {
    state.inFlight++;
    sent++;
    const t0 = performance.now();
    pool
      .request({
        path,
        method: load.method,
        headers,
        ...(load.body !== undefined ? { body: load.body } : {}),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: abandon.signal,
      })
      .then(async (res) => {
        // Latency to the last byte of the body, as hey measures it.
        await res.body.dump({ limit: Number.MAX_SAFE_INTEGER });
        if (!stopped) results.answered(res.statusCode, performance.now() - t0);
      })
      .catch((err: unknown) => {
        if (!stopped) results.failed(failureReason(err), performance.now() - t0);
      })
      .finally(() => {
        state.inFlight--;
        // A free connection may let a waiting request go now rather than at the next poll.
        if (issuing && !stopped) {
          clearTimeout(timer);
          tick();
        }
        maybeFinish();
      });
  };

  const tick = () => {
    if (stopped) return;
    const now = performance.now();
    const p = plan(state, now);
    for (let i = 0; i < p.start; i++) send(load.paths[(state.issued + i) % load.paths.length] ?? "/");
    state.issued += p.start + p.skip;
    results.missed += p.skip;
    if (p.done || p.wakeAt === undefined) {
      issuing = false;
      maybeFinish();
      return;
    }
    timer = setTimeout(tick, Math.max(0, p.wakeAt - performance.now()));
  };

  const onAbort = () => {
    stopped = true;
    issuing = false;
    clearTimeout(timer);
    abandon.abort();
    finish();
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener("abort", onAbort, { once: true });

  const progress = opts.onProgress;
  const progressTimer = progress
    ? setInterval(
        () =>
          progress({
            elapsedMs: performance.now() - startedAt,
            issued: state.issued,
            completed: results.completed,
            errors: results.errors(),
            ...(total !== undefined ? { total } : {}),
          }),
        opts.progressEveryMs ?? 200,
      )
    : undefined;

  tick();
  await finished;
  clearInterval(progressTimer);
  opts.signal?.removeEventListener("abort", onAbort);
  const elapsedMs = performance.now() - startedAt;
  await pool.destroy().catch(() => {});
  return { results, elapsedMs, sent, stopped };
}
