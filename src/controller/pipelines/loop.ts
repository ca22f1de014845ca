import { isDeepStrictEqual } from "node:util";
import type { RolloutEvent } from "../../engine/types.js";
import type { AnalysisRun, Pipeline, RecordEntry } from "../../model/index.js";
import { type PipelineAction, plan, releaseOnBase, type StageView } from "../../pipeline/index.js";
import {
  type ChangeNotice,
  type ChangeOptions,
  type PipelineRequest,
  PipelineRequestError,
  type RecordedEntry,
} from "../../ports/control-plane.js";
import type { PendingRequest, PipelineStore, RecordFilter, SettledRequest } from "../../ports/pipeline-store.js";
import type { AnalysisLoop } from "../analysis-loop.js";
import { WorkQueue } from "../work-queue.js";
import { PIPELINE_LABEL, planInput } from "./observe.js";
import { requestEntry } from "./requests.js";

export type { PipelineRecordPort } from "./local-store.js";

export interface PipelineLoopOptions {
  store: PipelineStore;
  analysis: AnalysisLoop;
  now: () => Date;
  notify: (change: ChangeNotice) => void;
  /** The stage's rollout changed spec: reconcile it. */
  rolloutChanged: (rollout: string) => void;
  onError?: (message: string, err: unknown) => void;
  /** How often to read stages in other clusters again (default {@link REMOTE_POLL_MS}). */
  remotePollMs?: number;
}

/** What a pipeline's status holds: the planner's view of each stage, for `get pipeline` and the API. */
export interface PipelineStatus {
  observedGeneration: number;
  stages: StageView[];
  /** Set while the pipeline cannot be planned (a release that does not fit a stage's rollout). */
  message?: string;
}

const RETRY_MS = 2_000;
/** How often a pipeline with stages in other clusters reads them again: no watch reaches across clusters. */
export const REMOTE_POLL_MS = 2_000;

/**
 * Runs every pipeline: reads its stages' rollouts, releases, record and gate runs, asks the pure
 * planner what to do, appends the planner's record entries and events in one transaction, then
 * carries out its actions. Level-based like the rollout loop: a pipeline is planned when it, one of
 * its releases, one of its stages' rollouts or one of its gate runs changes, and at the planner's
 * wake-up time. A restart loses nothing: the record and the rollouts are the state.
 */
export class PipelineLoop {
  private readonly queue: WorkQueue;

  constructor(private readonly opts: PipelineLoopOptions) {
    this.queue = new WorkQueue(
      (name) => this.reconcile(name),
      (name, err) => {
        opts.onError?.(`planning pipeline "${name}" failed; retrying`, err);
        this.queue.addAt(name, Date.now() + RETRY_MS);
      },
    );
  }

  start(): void {
    for (const p of this.pipelines()) this.queue.add(p.metadata.name);
  }

  stop(): void {
    this.queue.stop();
  }

  async idle(): Promise<void> {
    await this.queue.idle();
  }

  /** A pipeline or one of its releases changed. */
  pipelineChanged(name: string): void {
    this.queue.add(name);
  }

  forget(name: string): void {
    this.queue.forget(name);
  }

  /** A rollout's status changed: plan every pipeline with a stage on it. */
  rolloutChanged(rollout: string): void {
    for (const p of this.pipelines())
      if (p.spec.stages.some((s) => s.rollout === rollout)) this.queue.add(p.metadata.name);
  }

  /** An analysis run changed: plan its pipeline if it is a gate run. */
  runChanged(run: AnalysisRun): void {
    const pipeline = run.metadata.labels?.[PIPELINE_LABEL];
    if (pipeline) this.queue.add(pipeline);
  }

  /** Checks and records a person's request, then plans the pipeline so it takes effect at once. */
  async request(name: string, request: PipelineRequest, opts: Required<ChangeOptions>): Promise<RecordedEntry> {
    const pipeline = this.opts.store.pipeline(name);
    if (!pipeline) throw new PipelineRequestError(`pipeline "${name}" not found`, "NotFound");
    const entry = requestEntry(this.input(pipeline), request, opts.actor, this.opts.now());
    const {
      entries: [recorded],
    } = await this.opts.store.append(name, [entry], []);
    this.opts.notify({ type: "record", kind: "Pipeline", name, entry: recorded! });
    this.queue.add(name);
    await this.queue.idle();
    return recorded!;
  }

  record(name: string, filter?: RecordFilter): RecordedEntry[] {
    return this.opts.store.record(name, filter);
  }

  private input(pipeline: Pipeline) {
    const store = this.opts.store;
    return planInput(
      pipeline,
      {
        rollout: (stage) => store.stageRollout(pipeline, stage),
        reach: (stage) => store.stageReach?.(pipeline, stage),
        releases: store.releases(),
        runs: store.runs(),
        record: store.record(pipeline.metadata.name),
      },
      this.opts.now(),
    );
  }

  /**
   * Records the requests people made as objects of their own (Kubernetes approvals), each checked
   * like an API request and settled in the same write as its entry: exactly once, even across a crash.
   */
  private async settle(pipeline: Pipeline, pending: readonly PendingRequest[]): Promise<void> {
    const name = pipeline.metadata.name;
    const input = this.input(pipeline);
    const entries: RecordEntry[] = [];
    const settled: SettledRequest[] = [];
    for (const p of pending) {
      if (p.refusal !== undefined) {
        settled.push({ id: p.id, refusal: p.refusal });
        continue;
      }
      try {
        const entry = requestEntry(input, p.request, p.actor, this.opts.now());
        entries.push(entry);
        settled.push({ id: p.id, entry });
        // A later request in the same batch sees this one, as it would had they come one by one.
        input.record = [...input.record, entry];
      } catch (err) {
        if (!(err instanceof PipelineRequestError)) throw err;
        settled.push({ id: p.id, refusal: err.message });
      }
    }
    const { entries: recorded } = await this.opts.store.append(name, entries, [], settled);
    for (const entry of recorded) this.opts.notify({ type: "record", kind: "Pipeline", name, entry });
  }

  private async reconcile(name: string): Promise<void> {
    const { store } = this.opts;
    let pipeline = store.pipeline(name);
    if (!pipeline) return;
    const pending = store.pendingRequests?.(pipeline) ?? [];
    if (pending.length > 0) {
      await this.settle(pipeline, pending);
      pipeline = store.pipeline(name) ?? pipeline;
    }
    await store.refreshStages?.(pipeline);
    const input = this.input(pipeline);
    const result = plan(input);

    // The record first: a crash after this write replays the actions (they are level-based),
    // and a crash before it loses nothing, because the planner will decide the same again.
    const events: RolloutEvent[] = result.events.map((e) => ({ type: e.type, reason: e.reason, message: e.message }));
    const { entries: recorded, events: eventRecords } = await store.append(name, result.entries, events);
    for (const entry of recorded) this.opts.notify({ type: "record", kind: "Pipeline", name, entry });
    for (const event of eventRecords) this.opts.notify({ type: "event", event });

    const problems: string[] = [];
    for (const action of result.actions) {
      const problem = await this.act(pipeline, action);
      if (problem) problems.push(problem);
    }
    await this.commitStatus(pipeline, {
      observedGeneration: pipeline.metadata.generation ?? 0,
      stages: result.stages,
      ...(problems.length > 0 ? { message: problems.join("; ") } : {}),
    });
    const remote = pipeline.spec.stages.some((s) => s.cluster !== undefined);
    const wakes = [
      result.wakeAt?.getTime(),
      problems.length > 0 ? Date.now() + RETRY_MS * 5 : undefined,
      remote ? Date.now() + (this.opts.remotePollMs ?? REMOTE_POLL_MS) : undefined,
    ].filter((t): t is number => t !== undefined);
    if (wakes.length > 0) this.queue.addAt(name, Math.min(...wakes));
  }

  /** Stores the stages' view when it changed; a new problem is also an event, once. */
  private async commitStatus(pipeline: Pipeline, status: PipelineStatus): Promise<void> {
    const previous = (pipeline as { status?: PipelineStatus }).status;
    if (isDeepStrictEqual(previous, status)) return;
    const name = pipeline.metadata.name;
    const events: RolloutEvent[] =
      status.message !== undefined && status.message !== previous?.message
        ? [{ type: "Warning", reason: "PromotionFailed", message: status.message }]
        : [];
    const records = await this.opts.store.commitStatus(name, status, events);
    this.opts.notify({
      type: "status",
      kind: "Pipeline",
      name,
      resource: { ...pipeline, status: status as unknown as Record<string, unknown> },
    });
    for (const event of records) this.opts.notify({ type: "event", event });
  }

  /** Carries out one action; returns a problem to report on the pipeline instead of throwing. */
  private async act(pipeline: Pipeline, action: PipelineAction): Promise<string | undefined> {
    const { store } = this.opts;
    const stage = pipeline.spec.stages.find((s) => s.name === action.stage);
    if (!stage) return undefined;
    if (action.type === "promote" || action.type === "rollbackStage") {
      const rollout = store.stageRollout(pipeline, stage);
      const release = store.release(action.release);
      if (!rollout || !release) return undefined;
      const applied = releaseOnBase(rollout, release);
      if (applied.error !== undefined) return `stage ${stage.name}: ${applied.error}`;
      if (isDeepStrictEqual(applied.rollout, rollout)) return undefined;
      try {
        await store.putStageRollout(pipeline, stage, applied.rollout);
      } catch (err) {
        // The link to another cluster may fail at any time: say so on the pipeline and try again
        // later; the write is level-based, so a retry after a lost answer changes nothing twice.
        if (stage.cluster === undefined) throw err;
        return `stage ${stage.name}: ${err instanceof Error ? err.message : String(err)}`;
      }
      // A stage in another cluster is reconciled by that cluster's own controller.
      if (stage.cluster === undefined) this.opts.rolloutChanged(stage.rollout);
      return undefined;
    }
    const target = pipeline.spec.stages.find((s) => s.name === action.target.stage);
    const rollout = target && store.stageRollout(pipeline, target);
    if (!rollout) return `stage ${stage.name}: the ${action.kind} needs stage ${action.target.stage}'s rollout`;
    const revision = action.target.revision ?? rollout.status?.stableRevision ?? "";
    const args = Object.fromEntries(
      action.analysis.args.filter((a) => a.valueFrom !== undefined).map((a) => [a.name, revision]),
    );
    await this.opts.analysis.startRun(
      {
        type: "startAnalysisRun",
        name: action.name,
        role: "step",
        analysis: action.analysis,
        args,
        canaryRevision: revision,
        stableRevision: revision,
      },
      rollout,
      { [PIPELINE_LABEL]: pipeline.metadata.name },
    );
    return undefined;
  }

  private pipelines(): Pipeline[] {
    return this.opts.store.pipelines();
  }
}
