import type { RolloutEvent } from "../engine/types.js";
import type { AnalysisRun, Pipeline, PipelineStage, RecordEntry, Release, Rollout } from "../model/index.js";
import type { Actor, EventRecord, PipelineRequest, RecordedEntry } from "./control-plane.js";

type MaybePromise<T> = T | Promise<T>;

/** A filter on a pipeline's record, as `sluice pipeline history` and the API pass it. */
export interface RecordFilter {
  release?: string;
  sinceSeq?: number;
  limit?: number;
}

/**
 * A person's request that reached the controller as an object of its own (Kubernetes: a
 * PipelineApproval), not through the API. `id` (the object's uid) makes it count exactly once.
 */
export interface PendingRequest {
  id: string;
  request: PipelineRequest;
  actor: Actor & { roles: string[] };
  /** Set when the request cannot be trusted at all (the admission policy that proves its requester is missing). */
  refusal?: string;
}

/** What became of a {@link PendingRequest}: the record entry that grants it, or why it was refused. */
export interface SettledRequest {
  id: string;
  entry?: RecordEntry;
  refusal?: string;
}

/** Whether the hub can see a stage in another cluster now; for stages in its own cluster there is none. */
export interface StageReach {
  cluster: string;
  reachable: boolean;
  /** When the hub last read the stage's cluster. */
  lastContact?: Date;
  /** Why it cannot (no credentials, no secrets): a short reason or what to do. */
  error?: string;
}

/**
 * Where a pipeline loop reads its inputs and keeps its record: SQLite on the local platform, the
 * API server on Kubernetes. Reads are synchronous (memory or an informer cache); writes may go over
 * the network, so the loop awaits them before acting.
 */
export interface PipelineStore {
  pipelines(): Pipeline[];
  pipeline(name: string): Pipeline | undefined;
  /** The rollout a stage changes (in the stage's namespace, on Kubernetes). */
  stageRollout(pipeline: Pipeline, stage: PipelineStage): Rollout | undefined;
  release(name: string): Release | undefined;
  releases(): Release[];
  runs(): AnalysisRun[];
  /** The pipeline's record, oldest first. */
  record(pipeline: string, filter?: RecordFilter): RecordedEntry[];
  /**
   * Appends record entries and events together, and marks `settled` requests done in the same
   * write, so a crash can neither lose an approval nor count it twice.
   */
  append(
    pipeline: string,
    entries: readonly RecordEntry[],
    events: RolloutEvent[],
    settled?: readonly SettledRequest[],
  ): MaybePromise<{ entries: RecordedEntry[]; events: EventRecord[] }>;
  /** Stores the stages' view; `events` go with it. */
  commitStatus(pipeline: string, status: unknown, events: RolloutEvent[]): MaybePromise<EventRecord[]>;
  /** Stores a stage rollout's new spec (a release applied to its template). */
  putStageRollout(pipeline: Pipeline, stage: PipelineStage, rollout: Rollout): MaybePromise<void>;
  /** People's requests waiting to be recorded (none on the local platform: its API records them at once). */
  pendingRequests?(pipeline: Pipeline): PendingRequest[];
  /**
   * Reads the rollouts of the pipeline's stages in other clusters again (there is no watch across
   * clusters). Never throws: a cluster that does not answer is reported by {@link stageReach}.
   */
  refreshStages?(pipeline: Pipeline): Promise<void>;
  /** For a stage in another cluster: can the hub see it now, and when did it last. */
  stageReach?(pipeline: Pipeline, stage: PipelineStage): StageReach | undefined;
}
