import type { RolloutEvent } from "../engine/types.js";
import type { WorkloadTemplate } from "../model/index.js";
import type { EventRecord, Resource, ResourceKind } from "./control-plane.js";

/** What the controller needs from durable state. The SQLite store implements it; Kubernetes later. */
export interface ControllerStore {
  getResource(kind: ResourceKind, name: string): Resource | undefined;
  listResources(kind: ResourceKind): Resource[];
  /** Stores spec and status; the generation grows only when the spec changes. Returns the stored resource. */
  putResource(resource: Resource): Resource;
  deleteResource(kind: ResourceKind, name: string): boolean;
  /** Writes a new status and its events in one transaction. */
  commitStatus(kind: ResourceKind, name: string, status: unknown, events: RolloutEvent[]): EventRecord[];
  listEvents(filter?: { kind?: ResourceKind; name?: string; sinceId?: number; limit?: number }): EventRecord[];
  putTemplate(rollout: string, hash: string, template: WorkloadTemplate): void;
  getTemplates(rollout: string): Record<string, WorkloadTemplate>;
  transaction<T>(fn: () => T): T;
}
