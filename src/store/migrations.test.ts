import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { LATEST_VERSION, MIGRATIONS, migrate, schemaVersion } from "./migrations.js";

describe("migrations", () => {
  it("are numbered 1, 2, 3... with no gaps", () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_VERSION).toBe(MIGRATIONS.length);
  });

  it("bring an empty database to the latest version and are idempotent", () => {
    const db = new Database(":memory:");
    expect(migrate(db).map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    expect(migrate(db)).toEqual([]);
    db.close();
  });

  it("upgrade a version 1 database in place, keeping its rows", () => {
    const db = new Database(":memory:");
    migrate(db, 1);
    expect(schemaVersion(db)).toBe(1);
    db.prepare(
      "INSERT INTO replicas (id, rollout, revision, idx, pid, port, start_time) VALUES ('r1', 'web', 'abc', 0, 42, 9000, 't0')",
    ).run();
    db.prepare(
      "INSERT INTO events (kind, name, time, type, reason, message) VALUES ('Rollout', 'web', 't0', 'Normal', 'R', 'm')",
    ).run();

    expect(migrate(db, 2).map((m) => m.version)).toEqual([2]);
    expect(schemaVersion(db)).toBe(2);
    const row = db.prepare("SELECT id, pid, restart_at FROM replicas").get();
    expect(row).toEqual({ id: "r1", pid: 42, restart_at: null });
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'").all();
    expect(indexes).toContainEqual({ name: "events_by_object" });
    expect(db.prepare("SELECT COUNT(*) AS n FROM events").get()).toEqual({ n: 1 });
    db.close();
  });

  it("upgrade a version 2 database with a tokens table and events that name no actor", () => {
    const db = new Database(":memory:");
    migrate(db, 2);
    db.prepare(
      "INSERT INTO events (kind, name, time, type, reason, message) VALUES ('Rollout', 'web', 't0', 'Normal', 'R', 'm')",
    ).run();
    expect(migrate(db, 3).map((m) => m.version)).toEqual([3]);
    expect(db.prepare("SELECT reason, actor FROM events").get()).toEqual({ reason: "R", actor: null });
    db.prepare(
      "INSERT INTO tokens (name, role, hash, created_at, created_by) VALUES ('ci', 'viewer', 'h', 't0', 'local-admin')",
    ).run();
    // Two names for one digest would make a token ambiguous.
    expect(() =>
      db
        .prepare(
          "INSERT INTO tokens (name, role, hash, created_at, created_by) VALUES ('ci2', 'viewer', 'h', 't0', 'local-admin')",
        )
        .run(),
    ).toThrow(/UNIQUE/);
    db.close();
  });

  it("leave the old version when a step fails, with none of its changes", () => {
    const db = new Database(":memory:");
    migrate(db, 1);
    // A column the step is about to add already exists, so the step's ALTER fails.
    db.exec("ALTER TABLE replicas ADD COLUMN restart_at TEXT");
    expect(() => migrate(db)).toThrow(/duplicate column/);
    expect(schemaVersion(db)).toBe(1);
    const indexes = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'events_by_object'")
      .all();
    expect(indexes).toEqual([]);
    db.close();
  });
});
