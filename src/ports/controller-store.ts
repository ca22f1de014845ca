import type { RolloutEvent } from "../engine/types.js";
import type { WorkloadTemplate } from "../model/index.js";
import type { EventRecord, Resource, ResourceKind } from "./control-plane.js";

type MaybePromise<T> = T | Promise<T>;

/**
 * What the control loop needs from durable state. Reads come from memory (SQLite, or an informer
 * cache on Kubernetes); writes may go over the network, so the loop awaits them before acting.
 */
export interface ControllerStore {
  getResource(kind: ResourceKind, name: string): Resource | undefined;
  listResources(kind: ResourceKind): Resource[];
  /** Stores spec and status; the generation grows only when the spec changes. Returns the stored resource. */
  putResource(resource: Resource): MaybePromise<Resource>;
  deleteResource(kind: ResourceKind, name: string): MaybePromise<boolean>;
  /** Writes a new status and its events together (one transaction where the store has them). */
  commitStatus(kind: ResourceKind, name: string, status: unknown, events: RolloutEvent[]): MaybePromise<EventRecord[]>;
  /** Records events that come with no status change. */
  appendEvents(kind: ResourceKind, name: string, events: RolloutEvent[]): MaybePromise<EventRecord[]>;
  listEvents(filter?: { kind?: ResourceKind; name?: string; sinceId?: number; limit?: number }): EventRecord[];
  /** The workload template of every revision the rollout has run, by revision hash (for undo). */
  getTemplates(rollout: string): MaybePromise<Record<string, WorkloadTemplate>>;
}

/**
 * The local platform's store: synchronous, with transactions, so `apply` stores a whole set of
 * documents or none of them.
 */
export interface LocalControllerStore extends ControllerStore {
  putResource(resource: Resource): Resource;
  deleteResource(kind: ResourceKind, name: string): boolean;
  commitStatus(kind: ResourceKind, name: string, status: unknown, events: RolloutEvent[]): EventRecord[];
  appendEvents(kind: ResourceKind, name: string, events: RolloutEvent[]): EventRecord[];
  getTemplates(rollout: string): Record<string, WorkloadTemplate>;
  putTemplate(rollout: string, hash: string, template: WorkloadTemplate): void;
  transaction<T>(fn: () => T): T;
}

/** True for a store `apply` can use (see {@link LocalControllerStore}). */
export function isLocalStore(store: ControllerStore): store is LocalControllerStore {
  return typeof (store as Partial<LocalControllerStore>).transaction === "function";
}
