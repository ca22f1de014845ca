import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "./db.js";
import { StoreError } from "./errors.js";
import { LATEST_VERSION, migrate } from "./migrations.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "sluice-db-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function refusal(file: string, opts?: { emptyIsNew?: boolean }): StoreError {
  try {
    openDatabase(file, ".sluice/sluice.db", opts).close();
  } catch (err) {
    expect(err).toBeInstanceOf(StoreError);
    return err as StoreError;
  }
  throw new Error("expected openDatabase to refuse the file");
}

describe("openDatabase", () => {
  it("creates a new database in WAL mode at the latest schema version", () => {
    const db = openDatabase(path.join(dir, "new.db"));
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("synchronous", { simple: true })).toBe(2); // FULL
    expect(db.pragma("user_version", { simple: true })).toBe(LATEST_VERSION);
    db.close();
  });

  it("reopens its own database", () => {
    const file = path.join(dir, "own.db");
    openDatabase(file).close();
    const db = openDatabase(file);
    expect(db.pragma("user_version", { simple: true })).toBe(LATEST_VERSION);
    db.close();
  });

  it("creates the database and its -wal and -shm files readable by their owner only", () => {
    const file = path.join(dir, "sluice.db");
    const db = openDatabase(file);
    db.exec(
      "INSERT INTO events (kind, name, time, type, reason, message) VALUES ('Rollout', 'w', 't', 'Normal', 'R', 'm')",
    );
    const modes = [file, `${file}-wal`, `${file}-shm`].map((f) => statSync(f).mode & 0o777);
    db.close();
    expect(modes).toEqual([0o600, 0o600, 0o600]);
  });

  it("tightens a database an older version left world-readable", () => {
    const file = path.join(dir, "sluice.db");
    openDatabase(file).close();
    chmodSync(file, 0o644);
    const db = openDatabase(file);
    const modes = [file, `${file}-wal`].map((f) => statSync(f).mode & 0o777);
    db.close();
    expect(modes).toEqual([0o600, 0o600]);
  });

  it("refuses a file that is not SQLite, and leaves it untouched", () => {
    const file = path.join(dir, "sluice.db");
    const text = "these are my notes, not a database\n".repeat(10);
    writeFileSync(file, text);
    const err = refusal(file);
    expect(err.message).toBe(".sluice/sluice.db is not a SQLite database; move it away or pass --state-dir");
    expect(err.cause).toBeDefined();
    expect(readFileSync(file, "utf8")).toBe(text);
  });

  it("refuses a SQLite database that belongs to something else, and leaves it untouched", () => {
    const file = path.join(dir, "sluice.db");
    const foreign = new Database(file);
    foreign.exec("CREATE TABLE foo (x); INSERT INTO foo VALUES (1)");
    foreign.close();
    const before = readFileSync(file);
    const err = refusal(file);
    expect(err.message).toBe(
      '.sluice/sluice.db is not a Sluice state database (it has table "foo"); move it away or pass --state-dir',
    );
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it("refuses a Sluice database with a table Sluice does not know", () => {
    const file = path.join(dir, "sluice.db");
    const db = new Database(file);
    migrate(db);
    db.exec("CREATE TABLE extra (x)");
    db.close();
    expect(refusal(file).message).toMatch(/has table "extra"/);
  });

  it("refuses a database written by a newer Sluice", () => {
    const file = path.join(dir, "sluice.db");
    const db = new Database(file);
    migrate(db);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    expect(refusal(file).message).toMatch(
      new RegExp(
        `written by a newer Sluice \\(schema version ${LATEST_VERSION + 1}, this one knows up to ${LATEST_VERSION}\\)`,
      ),
    );
  });

  it("refuses a corrupt database with a one-line message", () => {
    const file = path.join(dir, "sluice.db");
    const db = openDatabase(file);
    const insert = db.prepare(
      "INSERT INTO events (kind, name, time, type, reason, message) VALUES ('Rollout', 'web', 't', 'Normal', 'R', ?)",
    );
    for (let i = 0; i < 300; i++) insert.run("x".repeat(400));
    db.close();
    // Scribble over a page in the middle of the events table.
    const bytes = readFileSync(file);
    bytes.fill(0xab, 4096 * 3, 4096 * 4);
    writeFileSync(file, bytes);
    const err = refusal(file);
    expect(err.message).toMatch(/^\.sluice\/sluice\.db is corrupt \(.+\); restore it from a backup/);
    expect(err.message).not.toContain("\n");
  });

  it("refuses a zero-length file as damaged state, and leaves it untouched", () => {
    const file = path.join(dir, "sluice.db");
    writeFileSync(file, "");
    const err = refusal(file);
    expect(err.message).toBe(
      ".sluice/sluice.db is empty (0 bytes) but this state directory was used before: the database was truncated or lost; restore it from a backup, or delete it to start with empty state",
    );
    expect(statSync(file).size).toBe(0);
  });

  it("initialises a zero-length file when told the directory is new", () => {
    const file = path.join(dir, "sluice.db");
    writeFileSync(file, "");
    const db = openDatabase(file, file, { emptyIsNew: true });
    expect(db.pragma("user_version", { simple: true })).toBe(LATEST_VERSION);
    db.close();
  });

  it("creates a new database whole: no temporary file is left and the file is never empty", () => {
    const file = path.join(dir, "sluice.db");
    openDatabase(file).close();
    expect(readdirSync(dir)).toEqual(["sluice.db"]);
    expect(statSync(file).size).toBeGreaterThan(0);
    // Reopened as damaged-if-empty: a database Sluice made is never mistaken for one.
    openDatabase(file).close();
  });

  it("refuses a database it cannot write, naming the file and the fix", () => {
    const file = path.join(dir, "sluice.db");
    openDatabase(file).close();
    const undo = makeReadOnly(file);
    try {
      const err = refusal(file);
      expect(err.message).toMatch(
        /^cannot write \.sluice\/sluice\.db \(.+\); make it and its directory writable by .+ \(chmod u\+w \.sluice\/sluice\.db, chown, or chattr -i\), or pass --state-dir$/,
      );
    } finally {
      undo();
    }
  });

  it("keeps the owner's read-only bit when it drops group and other bits", () => {
    const file = path.join(dir, "sluice.db");
    openDatabase(file).close();
    chmodSync(file, 0o444);
    try {
      openDatabase(file).close(); // root writes through file modes
    } catch (err) {
      expect(err).toBeInstanceOf(StoreError);
    }
    expect(statSync(file).mode & 0o777).toBe(0o400);
  });
});

/** Root writes through file modes, so for root the file is made immutable instead. */
function makeReadOnly(file: string): () => void {
  if (process.getuid?.() === 0) {
    execFileSync("chattr", ["+i", file]);
    return () => execFileSync("chattr", ["-i", file]);
  }
  chmodSync(file, 0o400);
  return () => chmodSync(file, 0o600);
}
