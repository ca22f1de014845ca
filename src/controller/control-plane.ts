import type { RolloutCommand, RolloutEvent } from "../engine/types.js";
import type { AnalysisRun, AnalysisTemplate, ClusterAnalysisTemplate, Rollout } from "../model/index.js";

/** Any resource Sluice stores. */
export type Resource = Rollout | AnalysisTemplate | ClusterAnalysisTemplate | AnalysisRun;
export type ResourceKind = Resource["kind"];

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

/** What the API's live stream carries. */
export type ChangeNotice =
  | { type: "status"; kind: ResourceKind; name: string; resource: Resource }
  | { type: "deleted"; kind: ResourceKind; name: string }
  | { type: "event"; event: EventRecord };

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
  events(filter?: {
    kind?: ResourceKind;
    name?: string;
    sinceId?: number;
    limit?: number;
  }): EventRecord[] | Promise<EventRecord[]>;
  /** Calls back on every status change and event; returns the unsubscribe function. */
  subscribe(listener: (change: ChangeNotice) => void): () => void;
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
