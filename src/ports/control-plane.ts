import type { RolloutCommand, RolloutEvent } from "../engine/types.js";
import type { AnalysisRun, RecordEntry, Rollout, WorkloadTemplate } from "../model/index.js";

export type { Resource, ResourceKind } from "../model/resource.js";

import type { Resource, ResourceKind } from "../model/resource.js";

/**
 * Who asked for a change: on the local platform, the API token's name and role. Carried into the
 * events the change records (`actor`), so the record names who moved what.
 */
export interface Actor {
  name: string;
  role: string;
}

/** What every change a user asks for may carry. */
export interface ChangeOptions {
  /** Who asked; recorded on the change's events. */
  actor?: Actor;
}

/** A stored event, tied to the object it is about. */
export interface EventRecord extends RolloutEvent {
  id: number;
  kind: ResourceKind;
  name: string;
  time: string;
}

/** A pipeline record entry as stored: `seq` orders the record, whatever the clocks said. */
export interface RecordedEntry extends RecordEntry {
  seq: number;
}

/**
 * What a person asks of a pipeline. Each is checked at once (an approver the stage does not accept,
 * a rejected release) and then written to the record with who asked and why; the pipeline's planner
 * carries it out.
 */
export type PipelineRequest =
  | { type: "approve" | "deny" | "promote" | "retry"; stage: string; release: string; reason: string }
  | { type: "reject" | "unreject"; release: string; reason: string };

/** The record entry that grants each kind of request. */
export const REQUEST_ENTRY_TYPE = {
  approve: "Approved",
  deny: "Denied",
  promote: "PromoteRequested",
  retry: "Retried",
  reject: "Rejected",
  unreject: "Unrejected",
} as const satisfies Record<PipelineRequest["type"], RecordEntry["type"]>;

/** What the API's live stream carries. */
export type ChangeNotice =
  | { type: "status"; kind: ResourceKind; name: string; resource: Resource }
  | { type: "deleted"; kind: ResourceKind; name: string }
  | { type: "event"; event: EventRecord }
  | { type: "record"; kind: "Pipeline"; name: string; entry: RecordedEntry };

/** The outcome of applying one resource. */
export interface ApplyResult {
  kind: ResourceKind;
  name: string;
  outcome: "created" | "configured" | "unchanged";
}

/**
 * What the API and CLI may ask of a running controller, whatever the platform. Validation errors
 * are thrown as `ValidationError` (src/model) and nothing is applied; an unknown name throws `NotFoundError`.
 */
export interface ControlPlane {
  /** Validates every document first, then stores them all or none. */
  apply(resources: unknown[], opts?: { dryRun?: boolean; source?: string } & ChangeOptions): Promise<ApplyResult[]>;
  /** Synchronous locally (SQLite); a cluster answers over the network. */
  get(kind: ResourceKind, name: string): Resource | undefined | Promise<Resource | undefined>;
  list(kind: ResourceKind): Resource[] | Promise<Resource[]>;
  delete(kind: ResourceKind, name: string, opts?: ChangeOptions): Promise<boolean>;
  /** Carries out a user command on a rollout and returns the rollout as it now stands. */
  command(rollout: string, command: RolloutCommand, opts?: ChangeOptions): Promise<Rollout>;
  /**
   * Ends a running analysis run with the verdict its measurements give so far (`spec.terminate`),
   * recorded with the actor and reason; a finished run is returned as it is.
   */
  terminateAnalysisRun(name: string, opts?: ChangeOptions & { reason?: string }): Promise<AnalysisRun>;
  /**
   * The workload template of each revision the rollout still knows, by revision hash (the local
   * store keeps them; a cluster reads them back from the ReplicaSets). Throws `NotFoundError` for
   * an unknown rollout.
   */
  revisionTemplates(rollout: string): Promise<Record<string, WorkloadTemplate>>;
  events(filter?: {
    kind?: ResourceKind;
    name?: string;
    sinceId?: number;
    limit?: number;
  }): EventRecord[] | Promise<EventRecord[]>;
  /**
   * Checks a person's request against the pipeline and records it with the actor (who must be
   * given). Throws `PipelineRequestError` when the request cannot be granted; nothing is recorded then.
   */
  pipelineRequest(pipeline: string, request: PipelineRequest, opts: Required<ChangeOptions>): Promise<RecordedEntry>;
  /** A pipeline's record, oldest first: every transition with its time, actor and reason. */
  pipelineRecord(
    pipeline: string,
    filter?: { release?: string; sinceSeq?: number; limit?: number },
  ): RecordedEntry[] | Promise<RecordedEntry[]>;
  /** Calls back on every status change and event; returns the unsubscribe function. */
  subscribe(listener: (change: ChangeNotice) => void): () => void;
}

/** A pipeline request that cannot be granted, with the reason in words a person can act on. */
export class PipelineRequestError extends Error {
  override readonly name = "PipelineRequestError";
  constructor(
    message: string,
    /** `Forbidden`: the actor may not do this; `Conflict`: the pipeline's state does not allow it now. */
    readonly code: "Forbidden" | "Conflict" | "NotFound",
  ) {
    super(message);
  }
}

/** A name that matches no stored resource. */
export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
  constructor(
    readonly kind: ResourceKind,
    readonly resourceName: string,
  ) {
    super(`${kind} "${resourceName}" not found`);
  }
}
