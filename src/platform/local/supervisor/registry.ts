/** What the supervisor remembers of one replica so a restarted controller can adopt it. */
export interface ReplicaRecord {
  /** `<rollout>-<revision>-<index>`. */
  id: string;
  rollout: string;
  revision: string;
  index: number;
  pid: number;
  port: number;
  /** The process's start time token from /proc/<pid>/stat, so a reused pid is not mistaken for it. */
  startTime: string;
  /** The restartAt the replica was started for; a newer one on the revision replaces it. */
  restartAt?: string;
}

/** Durable replica records. The SQLite store implements it; {@link MemoryReplicaRegistry} is for tests. */
export interface ReplicaRegistry {
  /** Inserts or replaces the record with the same id. */
  save(r: ReplicaRecord): void;
  remove(id: string): void;
  list(): ReplicaRecord[];
}

/** The id of replica `index` of `revision` in `rollout`. Revision hashes carry no `-`, so ids do not collide. */
export function replicaId(rollout: string, revision: string, index: number): string {
  return `${rollout}-${revision}-${index}`;
}

/** A registry kept in memory: survives a new Supervisor in the same process, not a process restart. */
export class MemoryReplicaRegistry implements ReplicaRegistry {
  private readonly records = new Map<string, ReplicaRecord>();

  save(r: ReplicaRecord): void {
    this.records.set(r.id, { ...r });
  }

  remove(id: string): void {
    this.records.delete(id);
  }

  list(): ReplicaRecord[] {
    return [...this.records.values()].map((r) => ({ ...r }));
  }
}
