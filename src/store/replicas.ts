import type Database from "better-sqlite3";

import type { ReplicaRecord, ReplicaRegistry } from "../platform/local/supervisor/registry.js";

export type { ReplicaRecord, ReplicaRegistry };

interface Row {
  id: string;
  rollout: string;
  revision: string;
  idx: number;
  pid: number;
  port: number;
  start_time: string;
  restart_at: string | null;
}

/** Replica records in SQLite: they survive the controller, as the replicas themselves do. */
export class ReplicaTable implements ReplicaRegistry {
  private readonly upsert;
  private readonly del;
  private readonly all;

  constructor(db: Database.Database) {
    this.upsert = db.prepare(
      `INSERT INTO replicas (id, rollout, revision, idx, pid, port, start_time, restart_at)
       VALUES (@id, @rollout, @revision, @index, @pid, @port, @startTime, @restartAt)
       ON CONFLICT (id) DO UPDATE SET rollout = excluded.rollout, revision = excluded.revision, idx = excluded.idx,
         pid = excluded.pid, port = excluded.port, start_time = excluded.start_time, restart_at = excluded.restart_at`,
    );
    this.del = db.prepare("DELETE FROM replicas WHERE id = ?");
    this.all = db.prepare<[], Row>("SELECT * FROM replicas ORDER BY rollout, revision, idx, id");
  }

  save(r: ReplicaRecord): void {
    this.upsert.run({
      id: r.id,
      rollout: r.rollout,
      revision: r.revision,
      index: r.index,
      pid: r.pid,
      port: r.port,
      startTime: r.startTime,
      restartAt: r.restartAt ?? null,
    });
  }

  remove(id: string): void {
    this.del.run(id);
  }

  list(): ReplicaRecord[] {
    return this.all.all().map((row) => ({
      id: row.id,
      rollout: row.rollout,
      revision: row.revision,
      index: row.idx,
      pid: row.pid,
      port: row.port,
      startTime: row.start_time,
      ...(row.restart_at === null ? {} : { restartAt: row.restart_at }),
    }));
  }
}
