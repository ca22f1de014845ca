import { isIP } from "node:net";
import { LOAD_HEADER, loadHeaderValue } from "../load/label.js";
import { type WantedLoad, wantedLoads } from "../load/plan.js";
import { type LoadReport, runLoad } from "../load/sender.js";
import type { AnalysisRun } from "../model/analysis.js";
import type { Rollout } from "../model/rollout.js";
import type { ChangeNotice } from "../ports/control-plane.js";

/** A load the router's address rules out: the local platform sends only to loopback addresses. */
export class LoadTargetError extends Error {
  override readonly name = "LoadTargetError";
}

/**
 * The router's origin for generated load: a loopback address, with a wildcard listener
 * (0.0.0.0, ::) reached on 127.0.0.1. Anything else is refused.
 */
export function loopbackOrigin(routerUrl: string): string {
  const u = new URL(routerUrl);
  const host = u.hostname.replace(/^\[|\]$/g, "");
  if (host === "0.0.0.0" || host === "::") return `http://127.0.0.1:${u.port}`;
  const loopback =
    host === "localhost" || (isIP(host) === 4 && host.startsWith("127.")) || (isIP(host) === 6 && host === "::1");
  if (!loopback) throw new LoadTargetError(`the router listens on ${u.host}, not a loopback address; no load is sent`);
  return u.origin;
}

/** What the runner needs from the controller and the local platform. */
export interface LoadRunnerOptions {
  /** The rollouts as stored. */
  rollouts(): Rollout[];
  /** One analysis run as stored: only the runs of steps with load are read, not every run. */
  run(name: string): AnalysisRun | undefined;
  subscribe(listener: (change: ChangeNotice) => void): () => void;
  /** The router's URL, e.g. http://127.0.0.1:8080. */
  routerUrl: string;
  /** The state directory's load secret (src/load/label.ts). */
  secret: string;
  now?: () => Date;
  onError?: (message: string, err: unknown) => void;
  /** Called when a load ends, with what it saw (tests, logs). */
  onFinished?: (want: WantedLoad, report: LoadReport) => void;
}

/** Notices within this long are handled by one look at the store: a busy controller sends many. */
const SYNC_COALESCE_MS = 100;

interface Running {
  want: WantedLoad;
  stop: AbortController;
}

/**
 * Runs the generated load analysis steps ask for on the local platform: through the router, to
 * the canary revision only, labelled with the secret so the router counts it apart. Level
 * triggered: after every change of a rollout or analysis run it recomputes {@link wantedLoads}
 * and starts or stops loads to match, so load stops as soon as its analysis ends or the rollout
 * aborts, and a controller restart neither loses nor doubles it (load lives in this process).
 */
export class LoadRunner {
  private readonly running = new Map<string, Running>();
  private unsubscribe: (() => void) | undefined;
  private origin: string | undefined;
  private pending: NodeJS.Timeout | undefined;

  constructor(private readonly opts: LoadRunnerOptions) {}

  start(): void {
    try {
      this.origin = loopbackOrigin(this.opts.routerUrl);
    } catch (err) {
      this.opts.onError?.("generated load is off", err);
      return;
    }
    this.unsubscribe = this.opts.subscribe((change) => {
      if (change.type === "event" || change.type === "record") return;
      if (change.kind === "Rollout" || change.kind === "AnalysisRun") this.schedule();
    });
    this.sync();
  }

  /** Stops every load and stops listening. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearTimeout(this.pending);
    this.pending = undefined;
    for (const r of this.running.values()) r.stop.abort();
    this.running.clear();
  }

  /** Names of the analysis runs load is being sent for. */
  active(): string[] {
    return [...this.running.keys()];
  }

  private schedule(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      try {
        this.sync();
      } catch (err) {
        this.opts.onError?.("could not bring generated load in line with the analyses", err);
      }
    }, SYNC_COALESCE_MS);
  }

  /** Starts and stops loads to match what the stored rollouts and runs want now. */
  sync(): void {
    const origin = this.origin;
    if (!origin) return;
    const rollouts = this.opts.rollouts();
    const runs: AnalysisRun[] = [];
    for (const r of rollouts) {
      const name = r.status?.analysisRuns?.step;
      const step = r.spec.strategy.canary?.steps?.[r.status?.currentStepIndex ?? 0];
      if (name === undefined || !step || !("analysis" in step) || !step.analysis.load) continue;
      const run = this.opts.run(name);
      if (run) runs.push(run);
    }
    const wanted = new Map(wantedLoads(rollouts, runs, this.opts.now?.() ?? new Date()).map((w) => [w.run, w]));
    for (const [run, r] of this.running) {
      if (!wanted.has(run)) {
        r.stop.abort();
        this.running.delete(run);
      }
    }
    for (const [run, want] of wanted) if (!this.running.has(run)) this.launch(origin, want);
  }

  private launch(origin: string, want: WantedLoad): void {
    const stop = new AbortController();
    const entry: Running = { want, stop };
    this.running.set(want.run, entry);
    const { load } = want;
    runLoad({
      origin,
      load: { ...load, ...(want.remainingMs !== undefined ? { durationMs: want.remainingMs } : {}) },
      // The route is chosen by Host (the rollout's name); the label picks the canary revision.
      extraHeaders: { host: want.rollout, [LOAD_HEADER]: loadHeaderValue(this.opts.secret, want.revision) },
      signal: stop.signal,
    })
      .then((report) => this.opts.onFinished?.(want, report))
      .catch((err: unknown) => this.opts.onError?.(`generated load for analysis run "${want.run}" failed`, err))
      .finally(() => {
        if (this.running.get(want.run) === entry) this.running.delete(want.run);
      });
  }
}
