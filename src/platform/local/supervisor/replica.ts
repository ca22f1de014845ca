import type { ChildProcess } from "node:child_process";
import type { ProcessTemplate } from "../../../model/workload.js";
import { type BackoffOptions, CrashWindow, restartDelayMs } from "./backoff.js";
import { appendSupervisorLine, lastLogLine, replicaLogPath } from "./logs.js";
import { crashLoopMessage, describeExit, neverReadyMessage, seconds } from "./messages.js";
import { freePort } from "./ports.js";
import { ProbeCounter, type ProbeSettings, probeSettings, runProbe } from "./probe.js";
import { isSameProcess, processStartTime, terminateGroup } from "./process-group.js";
import { type ReplicaRecord, type ReplicaRegistry, replicaId } from "./registry.js";
import { type ReplicaIdentity, spawnReplica } from "./spawn-replica.js";
import { startFailure } from "./start-failure.js";

/** What a replica needs from its revision and the supervisor. */
export interface ReplicaContext {
  rollout: string;
  revision: string;
  stateDir: string;
  registry: ReplicaRegistry;
  /** The revision's template as it is now; a crashed replica restarts with it. */
  template(): ProcessTemplate;
  crashLoopThreshold: number;
  crashLoopWindowMs: number;
  neverReadyMs: number;
  backoff?: BackoffOptions;
  /** Something observe() or endpoints() would report differently. */
  changed(): void;
  /** Takes a routable replica out of routing and waits for its in-flight requests. */
  drain?: (endpoint: string) => Promise<void>;
  onError?: (message: string, err: unknown) => void;
}

/** Where a replica is in its life. `backoff`: crashed, waiting to be started again. */
export type ReplicaPhase = "starting" | "running" | "backoff" | "stopping" | "stopped";

// Until a replica is first ready, readiness is checked at least this often so it joins routing quickly.
const EAGER_PROBE_MS = 250;

/**
 * One replica slot of a revision: starts its process, probes it, restarts it with backoff when it
 * exits, and stops it (drain, SIGTERM, SIGKILL). The process survives the supervisor (`detach`).
 */
export class Replica {
  phase: ReplicaPhase = "starting";
  ready = false;
  pid: number | undefined;
  port: number | undefined;
  startTime = "";
  /** Set while the replica keeps crashing; cleared once it has run for the whole window. */
  crashLoop: string | undefined;
  /** Set when the replica has not been ready for the supervisor's patience since it was created. */
  neverReady: string | undefined;
  readonly id: string;
  readonly logPath: string;

  private child: ChildProcess | undefined;
  // Bumped on every launch, so results of probes and exits of an earlier process are ignored.
  private generation = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly crashes: CrashWindow;
  private consecutiveCrashes = 0;
  private readonly createdAt = Date.now();
  private launchedAt = Date.now();
  private everReady = false;
  private lastProbeFailure: string | undefined;
  private livenessFailure: string | undefined;
  private killing = false;
  private readiness = new ProbeCounter(1, 1);
  private liveness = new ProbeCounter(1, 1, true);
  private stopping: Promise<void> | undefined;
  private detached = false;

  constructor(
    private readonly ctx: ReplicaContext,
    readonly index: number,
    /** The revision's restartAt this replica was started for. */
    readonly restartAt: string | undefined,
  ) {
    this.id = replicaId(ctx.rollout, ctx.revision, index);
    this.logPath = replicaLogPath(ctx.stateDir, ctx.rollout, ctx.revision, index);
    this.crashes = new CrashWindow(ctx.crashLoopWindowMs);
  }

  /** `127.0.0.1:PORT` once a process has been started. */
  get endpoint(): string | undefined {
    return this.port === undefined ? undefined : `127.0.0.1:${this.port}`;
  }

  /** Ready and not being stopped: the router may send it traffic. */
  get routable(): boolean {
    return this.phase === "running" && this.ready && !this.killing;
  }

  get isStopping(): boolean {
    return this.phase === "stopping" || this.phase === "stopped";
  }

  start(): void {
    void this.launch();
  }

  /**
   * Takes over a process an earlier supervisor recorded. One the router was serving (its endpoint
   * is in `serving`) stays ready and is judged by the usual failure threshold; any other is probed
   * once so its readiness is known at once.
   */
  async adopt(record: ReplicaRecord, serving: ReadonlySet<string> = new Set()): Promise<void> {
    const gen = ++this.generation;
    this.pid = record.pid;
    this.port = record.port;
    this.startTime = record.startTime;
    this.phase = "running";
    if (serving.has(this.endpoint ?? "")) {
      this.markReady();
      this.startProbing(gen, true);
      return;
    }
    const settings = probeSettings(this.ctx.template().readinessProbe);
    const result = await runProbe(record.port, settings);
    if (!this.isCurrent(gen)) return;
    // It was serving before the controller restarted; one pass is enough to keep it in routing.
    if (result.ok) this.markReady();
    else this.lastProbeFailure = result.detail;
    this.startProbing(gen, true);
  }

  /** Drains (if routable), then SIGTERM to the process group, SIGKILL after the grace period. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  /** Stops timers and listeners, leaving the process running for the next supervisor to adopt. */
  detach(): void {
    this.detached = true;
    this.clearTimers();
    this.child?.removeAllListeners("exit");
  }

  /** Periodic checks that no event drives: an adopted process's exit, patience, crash-loop recovery. */
  tick(now: number): void {
    if (this.detached) return;
    if (this.phase === "running" && !this.child && this.pid !== undefined && !isSameProcess(this.pid, this.startTime)) {
      this.exited(this.generation, "exited");
      return;
    }
    if (!this.everReady && !this.neverReady && !this.isStopping && now - this.createdAt >= this.ctx.neverReadyMs) {
      const reason = this.lastProbeFailure
        ? `readiness probe: ${this.lastProbeFailure}`
        : this.phase === "backoff"
          ? "it keeps exiting"
          : undefined;
      this.neverReady = neverReadyMessage({
        index: this.index,
        waitedMs: now - this.createdAt,
        ...(reason ? { reason } : {}),
        ...this.tail(),
      });
      this.ctx.changed();
    }
    if (this.crashLoop && this.phase === "running" && now - this.launchedAt >= this.ctx.crashLoopWindowMs) {
      this.crashLoop = undefined;
      this.crashes.clear();
      this.ctx.changed();
    }
  }

  private async launch(): Promise<void> {
    const gen = ++this.generation;
    this.phase = "starting";
    this.ready = false;
    this.pid = undefined;
    this.port = undefined;
    this.launchedAt = Date.now();
    let port: number;
    try {
      port = await freePort();
    } catch (err) {
      this.exited(gen, `could not get a port (${errorText(err)})`);
      return;
    }
    if (gen !== this.generation || this.phase !== "starting" || this.detached) return;
    let child: ChildProcess;
    try {
      child = spawnReplica(this.ctx.template(), port, this.identity(), this.logPath);
    } catch (err) {
      this.exited(gen, startFailure(err, this.ctx.template()));
      return;
    }
    child.on("error", (err) => {
      if (child.pid === undefined) this.exited(gen, startFailure(err, this.ctx.template()));
    });
    const pid = child.pid;
    if (pid === undefined) return; // the "error" event reports why
    child.unref();
    this.child = child;
    this.pid = pid;
    this.port = port;
    this.startTime = processStartTime(pid);
    this.phase = "running";
    child.once("exit", (code, signal) => this.exited(gen, describeExit(code, signal)));
    this.save();
    this.startProbing(gen, false);
    this.ctx.changed();
  }

  private identity(): ReplicaIdentity {
    return { rollout: this.ctx.rollout, revision: this.ctx.revision, index: this.index };
  }

  private startProbing(gen: number, adopted: boolean): void {
    const template = this.ctx.template();
    const rs = probeSettings(template.readinessProbe);
    this.readiness = new ProbeCounter(rs.successThreshold, rs.failureThreshold, this.ready);
    this.after(adopted ? rs.periodMs : rs.initialDelayMs, () => this.probeReadiness(gen, rs));
    if (template.livenessProbe) {
      const ls = probeSettings(template.livenessProbe);
      this.liveness = new ProbeCounter(1, ls.failureThreshold, true);
      this.after(adopted ? ls.periodMs : ls.initialDelayMs, () => this.probeLiveness(gen, ls));
    }
  }

  private async probeReadiness(gen: number, settings: ProbeSettings): Promise<void> {
    if (!this.isCurrent(gen) || this.port === undefined) return;
    const result = await runProbe(this.port, settings);
    if (!this.isCurrent(gen)) return;
    if (!result.ok) this.lastProbeFailure = result.detail;
    const change = this.readiness.record(result.ok);
    if (change === "up") this.markReady();
    else if (change === "down") {
      this.ready = false;
      this.ctx.changed();
    }
    const next = this.ready ? settings.periodMs : Math.min(settings.periodMs, EAGER_PROBE_MS);
    this.after(next, () => this.probeReadiness(gen, settings));
  }

  private async probeLiveness(gen: number, settings: ProbeSettings): Promise<void> {
    if (!this.isCurrent(gen) || this.port === undefined) return;
    const result = await runProbe(this.port, settings);
    if (!this.isCurrent(gen)) return;
    if (this.liveness.record(result.ok) === "down") {
      this.killForLiveness(gen, `${result.detail}, ${settings.failureThreshold} in a row`);
      return;
    }
    this.after(settings.periodMs, () => this.probeLiveness(gen, settings));
  }

  private markReady(): void {
    this.ready = true;
    this.everReady = true;
    this.neverReady = undefined;
    this.ctx.changed();
  }

  private killForLiveness(gen: number, detail: string): void {
    const { pid, startTime } = this;
    if (pid === undefined) return;
    this.livenessFailure = detail;
    this.killing = true;
    this.ready = false;
    this.clearTimers();
    this.ctx.changed();
    appendSupervisorLine(this.logPath, `replica ${this.index} failed its liveness probe (${detail}); restarting it`);
    const graceMs = this.ctx.template().terminationGracePeriodSeconds * 1000;
    void terminateGroup(pid, startTime, graceMs).then(() => {
      // Our own child reports its exit through the "exit" event; an adopted one has no such event.
      if (!this.child) this.exited(gen, "exited");
    });
  }

  /** The process ended without being asked to: count it, and start it again after a backoff. */
  private exited(gen: number, description: string): void {
    if (gen !== this.generation || this.detached) return;
    if (this.phase !== "running" && this.phase !== "starting") return;
    this.clearTimers();
    this.child = undefined;
    this.killing = false;
    const now = Date.now();
    const exit = this.livenessFailure
      ? `was restarted after failing its liveness probe (${this.livenessFailure})`
      : description;
    this.livenessFailure = undefined;
    appendSupervisorLine(this.logPath, `replica ${this.index} ${exit}`);
    // A replica that ran for a whole window before failing starts its backoff over.
    if (now - this.launchedAt >= this.ctx.crashLoopWindowMs) this.consecutiveCrashes = 0;
    this.consecutiveCrashes += 1;
    this.crashes.record(now);
    const count = this.crashes.count(now);
    if (count >= this.ctx.crashLoopThreshold)
      this.crashLoop = crashLoopMessage({
        index: this.index,
        exit,
        count,
        spanMs: this.crashes.spanMs(now),
        ...this.tail(),
      });
    this.ready = false;
    this.phase = "backoff";
    const delay = restartDelayMs(this.consecutiveCrashes, this.ctx.backoff);
    appendSupervisorLine(
      this.logPath,
      `restarting replica ${this.index} in ${delay < 1000 ? `${delay} ms` : `${seconds(delay)} s`}`,
    );
    this.after(delay, () => this.launch());
    this.ctx.changed();
  }

  private async doStop(): Promise<void> {
    const wasRoutable = this.routable;
    const endpoint = this.endpoint;
    this.phase = "stopping";
    this.ready = false;
    this.clearTimers();
    this.ctx.changed();
    if (wasRoutable && endpoint && this.ctx.drain) {
      try {
        await this.ctx.drain(endpoint);
      } catch (err) {
        this.ctx.onError?.(`draining replica ${this.index} of revision ${this.ctx.revision} failed`, err);
      }
    }
    const pid = this.pid;
    if (pid !== undefined) {
      const graceSeconds = this.ctx.template().terminationGracePeriodSeconds;
      appendSupervisorLine(this.logPath, `stopping replica ${this.index} (pid ${pid})`);
      const outcome = await terminateGroup(pid, this.startTime, graceSeconds * 1000);
      if (outcome === "killed")
        appendSupervisorLine(this.logPath, `replica ${this.index} did not stop within ${graceSeconds} s; killed it`);
    }
    this.phase = "stopped";
    this.child = undefined;
    try {
      this.ctx.registry.remove(this.id);
    } catch (err) {
      this.ctx.onError?.(`could not forget replica ${this.id}`, err);
    }
  }

  private save(): void {
    if (this.pid === undefined || this.port === undefined) return;
    const record: ReplicaRecord = {
      id: this.id,
      rollout: this.ctx.rollout,
      revision: this.ctx.revision,
      index: this.index,
      pid: this.pid,
      port: this.port,
      startTime: this.startTime,
      ...(this.restartAt !== undefined ? { restartAt: this.restartAt } : {}),
    };
    try {
      this.ctx.registry.save(record);
    } catch (err) {
      this.ctx.onError?.(`could not record replica ${this.id}; a restarted controller will not adopt it`, err);
    }
  }

  private tail(): { lastLine?: string } {
    const lastLine = lastLogLine(this.logPath);
    return lastLine === undefined ? {} : { lastLine };
  }

  private isCurrent(gen: number): boolean {
    return gen === this.generation && this.phase === "running" && !this.detached && !this.killing;
  }

  private after(ms: number, fn: () => unknown): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void fn();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
