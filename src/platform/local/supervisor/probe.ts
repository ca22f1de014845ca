import { request } from "node:http";
import { connect } from "node:net";
import type { HttpProbe } from "../../../model/workload.js";

/** A probe in milliseconds. `path` undefined means "the port accepts a TCP connection". */
export interface ProbeSettings {
  path: string | undefined;
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

/** What one probe saw. `detail` says why it failed, in the form used in messages: `GET /ready: 503`. */
export interface ProbeResult {
  ok: boolean;
  detail: string;
}

/**
 * Turns a template's probe into timings. With no probe, readiness is a TCP connect every second.
 * `httpGet.port` is ignored: each replica listens on its own port, so a fixed one cannot reach them all.
 */
export function probeSettings(probe: HttpProbe | undefined): ProbeSettings {
  if (!probe)
    return {
      path: undefined,
      initialDelayMs: 0,
      periodMs: 1000,
      timeoutMs: 1000,
      successThreshold: 1,
      failureThreshold: 3,
    };
  return {
    path: probe.httpGet.path,
    initialDelayMs: probe.initialDelaySeconds * 1000,
    periodMs: probe.periodSeconds * 1000,
    timeoutMs: probe.timeoutSeconds * 1000,
    successThreshold: probe.successThreshold,
    failureThreshold: probe.failureThreshold,
  };
}

/** Runs the probe `settings` describes against 127.0.0.1:`port`. Never rejects. */
export function runProbe(port: number, settings: ProbeSettings): Promise<ProbeResult> {
  return settings.path === undefined
    ? tcpProbe(port, settings.timeoutMs)
    : httpProbe(port, settings.path, settings.timeoutMs);
}

/** GET `path` on 127.0.0.1:`port`; 200–399 passes, as in Kubernetes. A fresh connection each time. */
export function httpProbe(port: number, path: string, timeoutMs: number): Promise<ProbeResult> {
  const what = `GET ${path}`;
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    // No keep-alive: an idle probe connection would hold up the app's graceful shutdown.
    const req = request({ host: "127.0.0.1", port, path, agent: false, headers: { connection: "close" } }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      done({ ok: status >= 200 && status < 400, detail: `${what}: ${status}` });
    });
    const timer = setTimeout(() => {
      done({ ok: false, detail: `${what}: no answer within ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    timer.unref();
    req.on("error", (err: NodeJS.ErrnoException) => done({ ok: false, detail: `${what}: ${err.code ?? err.message}` }));
    req.end();
  });
}

/** Connects to 127.0.0.1:`port` and hangs up. */
export function tcpProbe(port: number, timeoutMs: number): Promise<ProbeResult> {
  const what = `TCP connect to port ${port}`;
  return new Promise((resolve) => {
    let settled = false;
    const socket = connect({ host: "127.0.0.1", port });
    const done = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ ok: false, detail: `${what}: no answer within ${timeoutMs} ms` }), timeoutMs);
    timer.unref();
    socket.once("connect", () => done({ ok: true, detail: `${what}: connected` }));
    socket.once("error", (err: NodeJS.ErrnoException) =>
      done({ ok: false, detail: `${what}: ${err.code ?? err.message}` }),
    );
  });
}

/**
 * Consecutive-result thresholds. Readiness starts failing and needs `successThreshold` passes in a
 * row; liveness starts passing. Either flips to failing after `failureThreshold` failures in a row.
 */
export class ProbeCounter {
  private successes = 0;
  private failures = 0;

  constructor(
    private readonly successThreshold: number,
    private readonly failureThreshold: number,
    public passing = false,
  ) {}

  /** Records one result; returns "up" or "down" when the verdict changes. */
  record(ok: boolean): "up" | "down" | undefined {
    if (ok) {
      this.successes += 1;
      this.failures = 0;
      if (!this.passing && this.successes >= this.successThreshold) {
        this.passing = true;
        return "up";
      }
      return undefined;
    }
    this.failures += 1;
    this.successes = 0;
    if (this.passing && this.failures >= this.failureThreshold) {
      this.passing = false;
      return "down";
    }
    return undefined;
  }
}
