import type {
  AnalysisPhase,
  GateName,
  PipelineSpec,
  RecordEntry,
  RolloutAnalysis,
  RolloutPhase,
} from "../model/index.js";

/**
 * What the controller sees of one stage's rollout before each plan. It reads `release` from the
 * rollout template's `sluice.dev/release` annotation (see `releaseOf`), the rest from its status.
 */
export interface StageObservation {
  /** The release the rollout's template names; undefined before the pipeline first changed it. */
  release?: string;
  /** The rollout's stable revision hash: verification runs against it. */
  stableRevision?: string;
  phase: RolloutPhase;
  /** Since when the rollout has been Healthy on this release (RFC 3339); soak counts from here. */
  healthySince?: string;
  /** The rollout was aborted (by analysis, a person, or its progress deadline). */
  aborted?: boolean;
  /** When the rollout aborted or became Degraded (RFC 3339): a failure before a release's un-rejection does not count again. */
  failedAt?: string;
  /** The stage's rollout does not exist: nothing is promoted into it. */
  missing?: boolean;
  /**
   * The stage's rollout lives in another cluster that the hub cannot reach now. The other fields
   * are the last known state, as of `lastContact`. Nothing is recorded from them and nothing is
   * promoted into the stage until the cluster answers again.
   */
  unreachable?: StageUnreachable;
}

/** Why a stage in another cluster cannot be observed now, and since when it is known only from memory. */
export interface StageUnreachable {
  cluster: string;
  /** A short reason without credentials ("ECONNREFUSED", "timeout", "cluster not registered ..."). */
  reason: string;
  /** When the hub last read the stage's rollout (RFC 3339); absent: never. */
  lastContact?: string;
}

/** The verdict of each analysis run the pipeline started, by run name. Missing = not created yet. */
export type GateRuns = Record<string, { phase: AnalysisPhase; message?: string }>;

/** Everything the planner decides on. It asks for nothing else: the same input gives the same plan. */
export interface PlanInput {
  pipeline: { name: string; spec: PipelineSpec };
  /** The pipeline's releases in the order they were created, oldest first. Only names and order are read. */
  releases: readonly { metadata: { name: string } }[];
  /** By stage name. A stage with no entry is treated as missing. */
  stages: Readonly<Record<string, StageObservation>>;
  /** The record so far, in append order, including entries people wrote through the API. */
  record: readonly RecordEntry[];
  runs: GateRuns;
  now: Date;
}

/** Which gate an analysis run serves. */
export type GateRunKind = "verification" | "check";

/**
 * Things for the controller to do. Level-based: the plan lists them every time they are still
 * needed, so applying one twice is the same as once (create a run only if it does not exist;
 * changing a rollout to the release it already names changes nothing).
 */
export type PipelineAction =
  /** Change the stage's rollout template to the release (`applyRelease`). */
  | { type: "promote"; stage: string; release: string }
  /** The same change, back to an earlier release: the rollout's strategy (or its fast rollback) carries it out. */
  | { type: "rollbackStage"; stage: string; release: string }
  /** Create the analysis run `name` unless it exists. */
  | {
      type: "startGateRun";
      kind: GateRunKind;
      name: string;
      stage: string;
      release: string;
      /** The check's name, for kind `check`. */
      check?: string;
      analysis: RolloutAnalysis;
      /** The stage whose rollout the run measures, and its stable revision (for `valueFrom.podTemplateHashValue`). */
      target: { stage: string; revision?: string };
    };

/** A Kubernetes-style event for notifications and the live stream, one per new record entry. */
export interface PipelineEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
  stage?: string;
  release?: string;
}

/** The state of one gate for the candidate release of a stage, for display. */
export interface GateView {
  gate: GateName;
  state: "Passed" | "Waiting" | "Failed";
  message: string;
  /** When the wait ends by itself: soak done, window opens, approval expires (RFC 3339). */
  until?: string;
}

/** Where a stage stands, derived from the same input as the plan, for `sluice get pipeline`. */
export interface StageView {
  stage: string;
  /** The release the stage's rollout names now. */
  release?: string;
  /** The release the record says the stage should run. */
  desired?: string;
  /** The release waiting at the gates to enter. */
  candidate?: string;
  state: "Idle" | "Waiting" | "Promoting" | "Healthy" | "Failed" | "Unreachable";
  message: string;
  gates: GateView[];
  /** Set while the stage's cluster cannot be reached; `release` and the message are its last known state. */
  unreachable?: StageUnreachable;
}

export interface PlanResult {
  actions: PipelineAction[];
  /** Append these to the record in one transaction, before carrying out the actions. */
  entries: RecordEntry[];
  events: PipelineEvent[];
  stages: StageView[];
  /** The next instant the planner wants to be called even if nothing changes. */
  wakeAt?: Date;
}
