import { isDeepStrictEqual } from "node:util";
import type { MetricProviderPort } from "../analysis/providers/provider.js";
import { RUN_LABELS } from "../analysis/run-builder.js";
import { commandLabel } from "../engine/command-label.js";
import { applyCommand, reconcile } from "../engine/index.js";
import type { AnalysisObservation, RolloutCommand, RolloutEvent } from "../engine/types.js";
import { HookRunner } from "../hooks/runner.js";
import type { AnalysisRun, Release, Rollout, WorkloadTemplate } from "../model/index.js";
import type { Platform } from "../platform/port.js";
import {
  type ApplyResult,
  type ChangeNotice,
  type ChangeOptions,
  type ControlPlane,
  type EventRecord,
  NotFoundError,
  type PipelineRequest,
  PipelineRequestError,
  type RecordedEntry,
  type Resource,
  type ResourceKind,
} from "../ports/control-plane.js";
import { type ControllerStore, isLocalStore } from "../ports/controller-store.js";
import type { PipelineStore } from "../ports/pipeline-store.js";
import { AnalysisLoop } from "./analysis-loop.js";
import { applyResources } from "./apply.js";
import type { ControllerMetrics } from "./metrics.js";
import { LocalPipelineStore } from "./pipelines/local-store.js";
import { PipelineLoop, type PipelineRecordPort } from "./pipelines/loop.js";
import {
  type FailureStatus,
  invalidSpecStatus,
  reconcileErrorStatus,
  retryDelayMs,
  storedSpecProblems,
  withoutControllerConditions,
} from "./reconcile-failure.js";
import { WorkQueue } from "./work-queue.js";

export interface ControllerOptions {
  store: ControllerStore;
  platform: Platform;
  providers: Partial<Record<MetricProviderPort["kind"], MetricProviderPort>>;
  metrics?: ControllerMetrics;
  now?: () => Date;
  /** Where errors the loop survives are reported (a platform that failed an action, a provider bug). */
  onError?: (message: string, err: unknown) => void;
  /** Reads `valueFrom.env` / `valueFrom.file` args of analysis templates. */
  readEnv?: (name: string) => string | undefined;
  readFile?: (path: string) => string;
  /** Reads a Secret's data by name (Kubernetes), for `valueFrom.secretKeyRef` analysis arguments. */
  loadSecret?: (name: string) => Promise<Record<string, string> | undefined>;
  /**
   * Rollouts reconciled at once (never one rollout twice at once). 1 by default: the local
   * platform's store wants its reconciles in order; on Kubernetes each rollout stands alone.
   */
  concurrentReconciles?: number;
  /** The pipeline record (local platform). Without it, pipelines are not run by this controller. */
  record?: PipelineRecordPort;
  /** Where pipelines are kept on other platforms (Kubernetes); takes the place of `record`. */
  pipelineStore?: PipelineStore;
}

const RETRY_MS = 1_000;

/**
 * The control loop. A rollout is reconciled when it changes, when its platform reports a change,
 * when one of its analysis runs reaches a verdict, and at the engine's wake-up time; never on a
 * fixed poll. Each reconcile commits its status before carrying out its actions, so a crash at
 * any instant resumes from the stored status.
 */
export class Controller implements ControlPlane {
  private readonly rollouts: WorkQueue;
  private readonly analysis: AnalysisLoop;
  private readonly listeners = new Set<(change: ChangeNotice) => void>();
  private readonly now: () => Date;
  /** Consecutive failed reconciles per rollout, for the retry backoff; cleared by a success. */
  private readonly failures = new Map<string, number>();
  private readonly pipelines: PipelineLoop | undefined;
  /** Lifecycle hooks: runs the engine's runHook tries and the informational hooks (docs/hooks.md). */
  private readonly hooks: HookRunner;

  constructor(private readonly opts: ControllerOptions) {
    this.now = opts.now ?? (() => new Date());
    this.hooks = new HookRunner({
      readEnv: opts.readEnv ?? ((name) => process.env[name]),
      ...(opts.loadSecret ? { loadSecret: opts.loadSecret } : {}),
      providers: opts.providers,
      now: this.now,
      answered: (name) => this.rollouts.add(name),
      informFailed: (name, event) => {
        this.recordEvent(name, event).catch((e) => opts.onError?.(`could not record a hook failure on "${name}"`, e));
      },
    });
    this.rollouts = new WorkQueue(
      (name) => this.reconcileRollout(name),
      (name, err) => {
        this.reconcileFailed(name, err).catch((e) =>
          opts.onError?.(`could not report the failed reconcile of "${name}"`, e),
        );
      },
      Date.now,
      opts.concurrentReconciles ?? 1,
    );
    this.analysis = new AnalysisLoop({
      store: opts.store,
      providers: opts.providers,
      now: this.now,
      ...(opts.metrics ? { metrics: opts.metrics } : {}),
      ...(opts.onError ? { onError: opts.onError } : {}),
      onRunChanged: (run) => {
        this.notify({ type: "status", kind: "AnalysisRun", name: run.metadata.name, resource: run });
        const owner = run.metadata.labels?.["sluice.dev/rollout"];
        if (owner) this.rollouts.add(owner);
        this.pipelines?.runChanged(run);
      },
      ...(opts.readEnv ? { readEnv: opts.readEnv } : {}),
      ...(opts.readFile ? { readFile: opts.readFile } : {}),
      ...(opts.loadSecret ? { loadSecret: opts.loadSecret } : {}),
    });
    const store = opts.store;
    const pipelineStore =
      opts.pipelineStore ??
      (opts.record && isLocalStore(store) ? new LocalPipelineStore(store, opts.record) : undefined);
    if (pipelineStore)
      this.pipelines = new PipelineLoop({
        store: pipelineStore,
        analysis: this.analysis,
        now: this.now,
        notify: (change) => this.notify(change),
        rolloutChanged: (name) => this.rollouts.add(name),
        ...(opts.onError ? { onError: opts.onError } : {}),
      });
  }

  /** Queues every stored rollout, pipeline and running analysis run. */
  start(): void {
    for (const r of this.opts.store.listResources("Rollout")) this.rollouts.add(r.metadata.name);
    this.analysis.start();
    this.pipelines?.start();
  }

  /** Stops reconciling. Replicas and the router keep running. */
  stop(): void {
    this.rollouts.stop();
    this.hooks.stop();
    this.analysis.stop();
    this.pipelines?.stop();
  }

  /** Something in the platform changed (a replica became ready, crashed...): look at the rollout again. */
  observationChanged(rollout?: string): void {
    if (rollout) this.rollouts.add(rollout);
    else for (const r of this.opts.store.listResources("Rollout")) this.rollouts.add(r.metadata.name);
  }

  /** A pipeline, or one of its releases or approvals, changed outside this controller (a Kubernetes watch). */
  pipelineChanged(name: string): void {
    this.pipelines?.pipelineChanged(name);
  }

  /** A rollout that may be some pipeline's stage changed, possibly in another namespace: plan those pipelines. */
  stageRolloutChanged(rollout: string): void {
    this.pipelines?.rolloutChanged(rollout);
  }

  /** Resolves once no reconcile is queued or running (tests). */
  async idle(): Promise<void> {
    await this.rollouts.idle();
    await this.pipelines?.idle();
  }

  async apply(
    resources: unknown[],
    opts: { dryRun?: boolean; source?: string } & ChangeOptions = {},
  ): Promise<ApplyResult[]> {
    const store = this.opts.store;
    // On Kubernetes the API server stores what users apply; the controller only reads it.
    if (!isLocalStore(store)) throw new Error("this controller's resources are applied through its platform's API");
    const results = applyResources(
      store,
      resources,
      { ...opts, actor: opts.actor?.name, onEvent: (event) => this.notify({ type: "event", event }) },
      (r) => this.opts.platform.admit?.(r) ?? [],
    );
    if (!opts.dryRun)
      for (const r of results) {
        if (r.outcome === "unchanged") continue;
        if (r.kind === "Rollout") this.rollouts.add(r.name);
        else if (r.kind === "Pipeline") this.pipelines?.pipelineChanged(r.name);
        else if (r.kind === "Release") this.releaseChanged(r.name);
      }
    return results;
  }

  get(kind: ResourceKind, name: string): Resource | undefined {
    return this.opts.store.getResource(kind, name);
  }

  list(kind: ResourceKind): Resource[] {
    return this.opts.store.listResources(kind);
  }

  async delete(kind: ResourceKind, name: string, opts: ChangeOptions = {}): Promise<boolean> {
    const existing = this.opts.store.getResource(kind, name);
    if (!existing) return false;
    // Forget the resource first: a reconcile triggered while its replicas stop must find nothing
    // to bring back.
    const deleted = await this.opts.store.deleteResource(kind, name);
    if (kind === "Rollout") {
      this.rollouts.forget(name);
      this.hooks.forget(name);
      await this.rollouts.idle();
      for (const run of this.runsOf(name)) {
        this.analysis.forget(run.metadata.name);
        await this.opts.store.deleteResource("AnalysisRun", run.metadata.name);
      }
      this.opts.metrics?.forget(name);
      await this.opts.platform.remove(existing as Rollout);
    }
    if (kind === "Pipeline") this.pipelines?.forget(name);
    if (kind === "Release") this.pipelines?.pipelineChanged((existing as Release).spec.pipeline);
    if (deleted) {
      // The object is gone, but its events stay (locally; a cluster drops them): the record says who deleted it.
      if (isLocalStore(this.opts.store)) {
        const records = this.opts.store.appendEvents(kind, name, [
          { type: "Normal", reason: "Deleted", message: "sluice delete", ...actorOf(opts) },
        ]);
        for (const event of records) this.notify({ type: "event", event });
      }
      this.notify({ type: "deleted", kind, name });
    }
    return deleted;
  }

  async command(name: string, command: RolloutCommand, opts: ChangeOptions = {}): Promise<Rollout> {
    const rollout = this.rolloutOrThrow(name);
    const templates = await this.opts.store.getTemplates(name);
    const changed = applyCommand(rollout, command, this.now(), templates);
    // The engine sees the abort flag already set, so the user's abort is counted here.
    if (command.type === "abort" && !rollout.status?.abort && changed.status?.abort)
      this.opts.metrics?.countAbort(name, "UserAbort");
    const stored = (await this.opts.store.putResource(changed)) as Rollout;
    // The user's request is part of the record: `describe` shows who moved the rollout, and when.
    const [event] = await this.opts.store.commitStatus("Rollout", name, stored.status, [
      { type: "Normal", reason: "CommandReceived", message: `sluice ${commandLabel(command)}`, ...actorOf(opts) },
    ]);
    if (event) this.notify({ type: "event", event });
    this.rollouts.add(name);
    await this.rollouts.idle();
    return (this.opts.store.getResource("Rollout", name) as Rollout | undefined) ?? stored;
  }

  async revisionTemplates(rollout: string): Promise<Record<string, WorkloadTemplate>> {
    if (!this.opts.store.getResource("Rollout", rollout)) throw new NotFoundError("Rollout", rollout);
    return this.opts.store.getTemplates(rollout);
  }

  async terminateAnalysisRun(name: string, opts: ChangeOptions & { reason?: string } = {}): Promise<AnalysisRun> {
    const run = this.opts.store.getResource("AnalysisRun", name) as AnalysisRun | undefined;
    if (!run) throw new NotFoundError("AnalysisRun", name);
    if (await this.analysis.stopRun(name)) {
      // Recorded on the rollout the run judges, where `describe` shows who ended it and why.
      const owner = run.metadata.labels?.[RUN_LABELS.rollout];
      const [kind, on] =
        owner && this.opts.store.getResource("Rollout", owner)
          ? (["Rollout", owner] as const)
          : (["AnalysisRun", name] as const);
      const why = opts.reason ? `: ${opts.reason.slice(0, 1000)}` : "";
      const message = `sluice terminate analysisrun ${name}${why}`;
      const records = await this.opts.store.appendEvents(kind, on, [
        { type: "Normal", reason: "CommandReceived", message, ...actorOf(opts) },
      ]);
      for (const event of records) this.notify({ type: "event", event });
      // As this call left it: the run may end before the answer is sent, but this call is what ended it.
      return { ...run, spec: { ...run.spec, terminate: true } };
    }
    return (this.opts.store.getResource("AnalysisRun", name) as AnalysisRun | undefined) ?? run;
  }

  async pipelineRequest(
    pipeline: string,
    request: PipelineRequest,
    opts: Required<ChangeOptions>,
  ): Promise<RecordedEntry> {
    return this.pipelineLoop().request(pipeline, request, opts);
  }

  pipelineRecord(pipeline: string, filter?: { release?: string; sinceSeq?: number; limit?: number }): RecordedEntry[] {
    if (!this.opts.store.getResource("Pipeline", pipeline)) throw new NotFoundError("Pipeline", pipeline);
    return this.pipelineLoop().record(pipeline, filter);
  }

  private pipelineLoop(): PipelineLoop {
    if (!this.pipelines) throw new PipelineRequestError("this controller runs no pipelines", "Conflict");
    return this.pipelines;
  }

  private releaseChanged(name: string): void {
    const release = this.opts.store.getResource("Release", name) as Release | undefined;
    if (release) this.pipelines?.pipelineChanged(release.spec.pipeline);
  }

  /**
   * Records an event about a rollout or pipeline without touching its status (a notification that
   * failed), and tells watchers. Writing no status means it cannot undo a reconcile that committed
   * meanwhile.
   */
  async recordEvent(name: string, event: RolloutEvent, kind: "Rollout" | "Pipeline" = "Rollout"): Promise<void> {
    if (!this.opts.store.getResource(kind, name)) return;
    const records = await this.opts.store.appendEvents(kind, name, [event]);
    for (const record of records) this.notify({ type: "event", event: record });
  }

  events(filter?: { kind?: ResourceKind; name?: string; sinceId?: number; limit?: number }): EventRecord[] {
    return this.opts.store.listEvents(filter);
  }

  subscribe(listener: (change: ChangeNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async reconcileRollout(name: string): Promise<void> {
    const stored = this.opts.store.getResource("Rollout", name) as Rollout | undefined;
    if (!stored) return;
    const problems = storedSpecProblems(stored, (r) => this.opts.platform.admit?.(r) ?? []);
    if (problems.length > 0) {
      await this.commitFailure(stored, invalidSpecStatus(stored, problems, this.now()));
      this.failures.delete(name);
      return;
    }
    const rollout = withoutControllerConditions(stored);
    const started = performance.now();
    const observation = { ...(await this.opts.platform.observe(rollout)), hookAnswers: this.hooks.answersFor(name) };
    const result = reconcile(rollout, observation, this.analysisObservation(rollout), this.now());
    const next: Rollout = { ...rollout, status: result.status };

    if (!isDeepStrictEqual(result.status, stored.status) || result.events.length > 0) {
      const records = await this.opts.store.commitStatus("Rollout", name, result.status, result.events);
      this.opts.metrics?.observeRollout(next, rollout.status);
      this.notify({ type: "status", kind: "Rollout", name, resource: next });
      this.pipelines?.rolloutChanged(name);
      for (const event of records) this.notify({ type: "event", event });
      this.hooks.inform(next, result.events);
    }

    for (const action of result.actions) {
      if (action.type === "startAnalysisRun") await this.analysis.startRun(action, next);
      else if (action.type === "stopAnalysisRun") await this.analysis.stopRun(action.name);
      else if (action.type === "runHook") this.hooks.run(next, action);
    }
    await this.opts.platform.apply(next, result.actions);
    this.failures.delete(name);
    this.opts.metrics?.reconcileSeconds.observe((performance.now() - started) / 1000);
    if (result.wakeAt) this.rollouts.addAt(name, result.wakeAt.getTime());
    // A router failure is not an event anyone will send: look again until it clears.
    else if (observation.trafficError) this.rollouts.addAt(name, Date.now() + RETRY_MS);
  }

  /**
   * A reconcile threw. The rollout says so (Degraded, a ReconcileError condition, one event per
   * distinct cause) and is retried with a growing delay, so a lasting fault neither hides behind a
   * stale Healthy nor floods the log.
   */
  private async reconcileFailed(name: string, err: unknown): Promise<void> {
    const failures = (this.failures.get(name) ?? 0) + 1;
    this.failures.set(name, failures);
    const delay = retryDelayMs(failures);
    this.rollouts.addAt(name, Date.now() + delay);
    const rollout = this.opts.store.getResource("Rollout", name) as Rollout | undefined;
    if (!rollout) return;
    const failure = reconcileErrorStatus(rollout, err, delay, this.now());
    if (failure.events.length > 0) this.opts.onError?.(`reconcile of rollout "${name}" failed; retrying`, err);
    await this.commitFailure(rollout, failure);
  }

  private async commitFailure(rollout: Rollout, failure: FailureStatus): Promise<void> {
    const name = rollout.metadata.name;
    if (isDeepStrictEqual(failure.status, rollout.status) && failure.events.length === 0) return;
    const records = await this.opts.store.commitStatus("Rollout", name, failure.status, failure.events);
    this.notify({ type: "status", kind: "Rollout", name, resource: { ...rollout, status: failure.status } });
    this.pipelines?.rolloutChanged(name);
    for (const event of records) this.notify({ type: "event", event });
  }

  private analysisObservation(rollout: Rollout): AnalysisObservation {
    const out: AnalysisObservation = {};
    for (const runName of Object.values(rollout.status?.analysisRuns ?? {})) {
      if (!runName) continue;
      const run = this.opts.store.getResource("AnalysisRun", runName) as AnalysisRun | undefined;
      if (run?.status)
        out[runName] = { phase: run.status.phase, ...(run.status.message ? { message: run.status.message } : {}) };
    }
    return out;
  }

  private runsOf(rollout: string): AnalysisRun[] {
    return (this.opts.store.listResources("AnalysisRun") as AnalysisRun[]).filter(
      (r) => r.metadata.labels?.["sluice.dev/rollout"] === rollout,
    );
  }

  private rolloutOrThrow(name: string): Rollout {
    const rollout = this.opts.store.getResource("Rollout", name) as Rollout | undefined;
    if (!rollout) throw new NotFoundError("Rollout", name);
    return rollout;
  }

  private notify(change: ChangeNotice): void {
    for (const l of this.listeners) {
      try {
        l(change);
      } catch (err) {
        this.opts.onError?.("a watcher failed", err);
      }
    }
  }
}

/** The `actor` field of the events a user's change records. */
function actorOf(opts: ChangeOptions): { actor?: string } {
  return opts.actor ? { actor: opts.actor.name } : {};
}
