import type Database from "better-sqlite3";
import type { RolloutEvent } from "../engine/types.js";
import type { EventRecord, ResourceKind } from "../ports/control-plane.js";

/** Which events to read. */
export interface EventFilter {
  kind?: ResourceKind;
  name?: string;
  /** Only events with a larger id: how a reader that has seen up to `sinceId` catches up. */
  sinceId?: number;
  limit?: number;
}

/** Events kept when the store opens; older ones are dropped so the file cannot grow without bound. */
export const EVENTS_KEPT = 100_000;

/** Append-only log of what happened to each object, with why, in words and numbers. */
export class EventLog {
  private readonly insert;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date,
  ) {
    this.insert = db.prepare(
      "INSERT INTO events (kind, name, time, type, reason, message, actor) VALUES (@kind, @name, @time, @type, @reason, @message, @actor)",
    );
  }

  /** Stores events about one object, all stamped with the same time, and returns them with their ids. */
  append(kind: ResourceKind, name: string, events: readonly RolloutEvent[]): EventRecord[] {
    const time = this.now().toISOString();
    return events.map((e) => {
      const record = { kind, name, time, type: e.type, reason: e.reason, message: e.message };
      const id = Number(this.insert.run({ ...record, actor: e.actor ?? null }).lastInsertRowid);
      return { id, ...record, ...(e.actor ? { actor: e.actor } : {}) };
    });
  }

  /**
   * Events in id order (oldest first). With `sinceId`, `limit` takes the oldest events after it,
   * so a reader can page forward; without it, `limit` takes the newest ones.
   */
  list(filter: EventFilter = {}): EventRecord[] {
    const where: string[] = [];
    const params: Record<string, string | number> = {};
    if (filter.kind !== undefined) {
      where.push("kind = @kind");
      params.kind = filter.kind;
    }
    if (filter.name !== undefined) {
      where.push("name = @name");
      params.name = filter.name;
    }
    if (filter.sinceId !== undefined) {
      where.push("id > @sinceId");
      params.sinceId = filter.sinceId;
    }
    const newestFirst = filter.limit !== undefined && filter.sinceId === undefined;
    let sql = "SELECT id, kind, name, time, type, reason, message, actor FROM events";
    if (where.length > 0) sql += ` WHERE ${where.join(" AND ")}`;
    sql += newestFirst ? " ORDER BY id DESC" : " ORDER BY id";
    if (filter.limit !== undefined) {
      sql += " LIMIT @limit";
      params.limit = Math.max(0, Math.floor(filter.limit));
    }
    const rows = this.db
      .prepare<[Record<string, string | number>], EventRecord & { actor: string | null }>(sql)
      .all(params)
      .map(({ actor, ...e }): EventRecord => (actor ? { ...e, actor } : e));
    return newestFirst ? rows.reverse() : rows;
  }

  /** Drops all but the newest `keep` events. Returns how many were dropped. */
  prune(keep: number = EVENTS_KEPT): number {
    return this.db.prepare("DELETE FROM events WHERE id <= (SELECT MAX(id) FROM events) - ?").run(keep).changes;
  }
}
