import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import type Database from "better-sqlite3";
import type { RolloutEvent } from "../engine/types.js";
import type { WorkloadTemplate } from "../model/index.js";
import type { EventRecord, Resource, ResourceKind } from "../ports/control-plane.js";
import type { LocalControllerStore } from "../ports/controller-store.js";
import { openDatabase } from "./db.js";
import { StoreError } from "./errors.js";
import { EVENTS_KEPT, type EventFilter, EventLog } from "./events.js";
import { PipelineRecordTable } from "./pipeline-record.js";
import { type ReplicaRegistry, ReplicaTable } from "./replicas.js";
import { ResourceTable } from "./resources.js";
import { type StoredTemplate, TemplateTable } from "./templates.js";
import { TokenTable } from "./tokens.js";

/** The state database's file name inside the state directory. */
export const DB_FILE = "sluice.db";

export interface StoreOptions {
  /** The clock for timestamps (tests pass a fake one). */
  now?: () => Date;
}

/**
 * Sluice's durable state on the local platform: resources with their status, events, revision
 * templates and replica records, in one SQLite file. Every method is synchronous; `transaction`
 * groups calls so they all land or none do.
 */
export class Store implements LocalControllerStore {
  /** Replica records for the local supervisor. */
  readonly replicas: ReplicaRegistry;
  /** Named API tokens (hashed), for the API's identity and roles. */
  readonly tokens: TokenTable;
  /** Pipeline records, append-only. */
  readonly record: PipelineRecordTable;
  private readonly resources: ResourceTable;
  private readonly events: EventLog;
  private readonly templates: TemplateTable;
  private closed = false;

  constructor(
    private readonly db: Database.Database,
    /** The database file, as named in messages. */
    readonly file: string,
    opts: StoreOptions = {},
  ) {
    const now = opts.now ?? (() => new Date());
    this.resources = new ResourceTable(db, now);
    this.events = new EventLog(db, now);
    this.templates = new TemplateTable(db, now);
    this.replicas = new ReplicaTable(db);
    this.tokens = new TokenTable(db, now);
    this.record = new PipelineRecordTable(db);
  }

  getResource(kind: ResourceKind, name: string): Resource | undefined {
    return this.resources.get(kind, name);
  }

  listResources(kind: ResourceKind): Resource[] {
    return this.resources.list(kind);
  }

  /** Stores spec, metadata and status. `metadata.generation` grows only when the spec changes. */
  putResource(resource: Resource): Resource {
    return this.resources.put(resource);
  }

  /** Deletes a resource; a rollout's revision templates go with it. Returns whether it existed. */
  deleteResource(kind: ResourceKind, name: string): boolean {
    return this.transaction(() => {
      const deleted = this.resources.delete(kind, name);
      if (deleted && kind === "Rollout") this.templates.deleteAll(name);
      return deleted;
    });
  }

  /**
   * Writes a new status and the events that explain it in one transaction. The controller calls it
   * before carrying out the reconcile's actions, so a crash at any instant leaves either the old
   * status or the new one with all its events. Throws NotFoundError for an unknown resource.
   */
  commitStatus(kind: ResourceKind, name: string, status: unknown, events: readonly RolloutEvent[]): EventRecord[] {
    return this.transaction(() => {
      this.resources.setStatus(kind, name, status);
      return this.events.append(kind, name, events);
    });
  }

  /** Same as {@link commitStatus}: the name the reconcile loop's docs use. */
  commitReconcile(kind: ResourceKind, name: string, status: unknown, events: readonly RolloutEvent[]): EventRecord[] {
    return this.commitStatus(kind, name, status, events);
  }

  /** Records events that come with no status change. */
  appendEvents(kind: ResourceKind, name: string, events: readonly RolloutEvent[]): EventRecord[] {
    return this.transaction(() => this.events.append(kind, name, events));
  }

  /** Events oldest first; see {@link EventLog.list} for how `limit` combines with `sinceId`. */
  listEvents(filter?: EventFilter): EventRecord[] {
    return this.events.list(filter);
  }

  /** Drops all but the newest `keep` events; the store does it on open. Returns how many were dropped. */
  pruneEvents(keep = EVENTS_KEPT): number {
    return this.events.prune(keep);
  }

  /** Remembers the template behind a revision hash; a hash already stored keeps its first template. */
  putTemplate(rollout: string, hash: string, template: WorkloadTemplate, number?: number): void {
    this.templates.put(rollout, hash, template, number);
  }

  /** Every stored template of a rollout, by revision hash. */
  getTemplates(rollout: string): Record<string, WorkloadTemplate> {
    return Object.fromEntries(this.templates.list(rollout).map((t) => [t.hash, t.template]));
  }

  /** Every stored template of a rollout with its number, oldest first. */
  listTemplates(rollout: string): StoredTemplate[] {
    return this.templates.list(rollout);
  }

  /**
   * Runs `fn` in one transaction: if it throws, nothing it wrote is kept. Nested calls join the
   * outer transaction. `fn` must be synchronous.
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Closes the database. Further calls fail; closing twice is harmless. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

/**
 * Opens the store in `<stateDir>/sluice.db`, creating the directory and the database as needed and
 * upgrading an older schema. Throws {@link StoreError} for a file it must not touch.
 */
export function openStore(stateDir: string, opts: StoreOptions = {}): Store {
  const file = path.join(stateDir, DB_FILE);
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new StoreError(`cannot create the state directory ${stateDir}: ${(err as Error).message}`, file, {
      cause: err,
    });
  }
  // The first controller start creates the API token right after the store: without one, nothing
  // was ever kept here, and an empty database file (an older Sluice killed while creating it, or a
  // `touch`) holds nothing to lose.
  const db = openDatabase(file, file, { emptyIsNew: !existsSync(path.join(stateDir, "api-token")) });
  const store = new Store(db, file, opts);
  store.pruneEvents();
  return store;
}
