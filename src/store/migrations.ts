import type Database from "better-sqlite3";

/** One step of the schema. Steps run in order, each in its own transaction with the version bump. */
export interface Migration {
  version: number;
  description: string;
  up(db: Database.Database): void;
}

/**
 * Every schema version, oldest first. Never edit a released step: add a new one, so any older
 * state directory upgrades in place.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "resources, revision templates, events, replicas",
    up(db) {
      db.exec(`
        CREATE TABLE resources (
          kind TEXT NOT NULL,
          name TEXT NOT NULL,
          api_version TEXT NOT NULL,
          generation INTEGER NOT NULL,
          resource_version INTEGER NOT NULL,
          metadata TEXT NOT NULL,
          spec TEXT NOT NULL,
          status TEXT,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          PRIMARY KEY (kind, name)
        );
        CREATE TABLE revision_templates (
          rollout TEXT NOT NULL,
          hash TEXT NOT NULL,
          number INTEGER NOT NULL,
          template TEXT NOT NULL,
          created_at TEXT NOT NULL,
          PRIMARY KEY (rollout, hash)
        );
        CREATE TABLE events (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          kind TEXT NOT NULL,
          name TEXT NOT NULL,
          time TEXT NOT NULL,
          type TEXT NOT NULL,
          reason TEXT NOT NULL,
          message TEXT NOT NULL
        );
        CREATE TABLE replicas (
          id TEXT PRIMARY KEY,
          rollout TEXT NOT NULL,
          revision TEXT NOT NULL,
          idx INTEGER NOT NULL,
          pid INTEGER NOT NULL,
          port INTEGER NOT NULL,
          start_time TEXT NOT NULL
        );
      `);
    },
  },
  {
    version: 2,
    description: "replica restart markers; events indexed by object",
    up(db) {
      db.exec(`
        ALTER TABLE replicas ADD COLUMN restart_at TEXT;
        CREATE INDEX events_by_object ON events (kind, name, id);
      `);
    },
  },
  {
    version: 3,
    description: "named API tokens with roles; the actor behind each event",
    up(db) {
      // Only a token's SHA-256 is kept: the database never holds what would let someone call the API.
      db.exec(`
        CREATE TABLE tokens (
          name TEXT PRIMARY KEY,
          role TEXT NOT NULL,
          hash TEXT NOT NULL UNIQUE,
          created_at TEXT NOT NULL,
          created_by TEXT NOT NULL,
          last_used_at TEXT,
          revoked_at TEXT,
          revoked_by TEXT
        );
        ALTER TABLE events ADD COLUMN actor TEXT;
      `);
    },
  },
  {
    version: 4,
    description: "the pipeline record: every transition of every release, append-only",
    up(db) {
      db.exec(`
        CREATE TABLE pipeline_record (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          pipeline TEXT NOT NULL,
          entry TEXT NOT NULL
        );
        CREATE INDEX pipeline_record_by_pipeline ON pipeline_record (pipeline, seq);
      `);
    },
  },
];

/** The schema version this build writes. */
export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Tables Sluice creates; anything else marks a database as someone else's. */
export const KNOWN_TABLES: ReadonlySet<string> = new Set([
  "resources",
  "revision_templates",
  "events",
  "replicas",
  "tokens",
  "pipeline_record",
]);

/** Reads the schema version kept in the database header. */
export function schemaVersion(db: Database.Database): number {
  return db.pragma("user_version", { simple: true }) as number;
}

/** Brings the schema up to `target` (default: latest), one transaction per step. Returns the steps run. */
export function migrate(db: Database.Database, target = LATEST_VERSION): Migration[] {
  const ran: Migration[] = [];
  for (const m of MIGRATIONS) {
    if (m.version <= schemaVersion(db) || m.version > target) continue;
    db.transaction(() => {
      m.up(db);
      // The version bump commits with the step, so a crash mid-step leaves the old version and no half schema.
      db.pragma(`user_version = ${m.version}`);
    })();
    ran.push(m);
  }
  return ran;
}
