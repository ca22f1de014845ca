import { chmodSync, closeSync, linkSync, openSync, rmSync, statSync } from "node:fs";
import { userInfo } from "node:os";
import Database from "better-sqlite3";
import { StoreError } from "./errors.js";
import { KNOWN_TABLES, LATEST_VERSION, migrate, schemaVersion } from "./migrations.js";

const MOVE_AWAY = "move it away or pass --state-dir";

export interface OpenDatabaseOptions {
  /**
   * Treat a zero-length file as a database never written (the directory shows no sign of a
   * previous controller). Otherwise a zero-length file is refused as damaged.
   */
  emptyIsNew?: boolean;
}

/**
 * Opens (or creates) a Sluice state database and brings its schema up to date. Refuses, with a
 * {@link StoreError}, anything it cannot safely use: a file that is not SQLite, a SQLite database
 * that belongs to something else, a corrupt one, or one written by a newer Sluice. It never resets
 * or rewrites such a file; the user decides what to do with it.
 *
 * A zero-length file is refused too (unless `emptyIsNew`): Sluice creates its database whole (see
 * {@link createWhole}), so an empty one means the state was truncated, and starting with empty
 * state would silently forget every rollout.
 *
 * `shown` is how the file is named in messages (the path the user would recognise).
 */
export function openDatabase(file: string, shown: string = file, opts: OpenDatabaseOptions = {}): Database.Database {
  let db: Database.Database;
  try {
    if (file !== ":memory:") prepareFile(file, shown, opts.emptyIsNew ?? false);
    db = new Database(file);
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw classify(err, shown);
  }
  try {
    // Inspect before any pragma that writes (journal_mode = WAL rewrites the header of a foreign database).
    checkOwnership(db, shown);
    checkIntegrity(db, shown);
    // Tighten files an older Sluice created world-readable; only once the file is known to be ours.
    restrictToOwner(file);
    db.pragma("journal_mode = WAL");
    // FULL syncs the WAL on every commit. A reconcile commits its status before it moves traffic or
    // starts replicas, so that commit must survive a power cut too, not just a killed process;
    // commits happen per change, not per request, so the extra fsync is cheap.
    db.pragma("synchronous = FULL");
    // The CLI's read-only tools may open the file while the controller writes; wait instead of failing.
    db.pragma("busy_timeout = 5000");
    migrate(db);
    // SQLite opens a file it may not write read-only without a word and fails at the first write,
    // in the middle of a reconcile; rewriting the schema version (a no-op) fails here instead.
    db.pragma(`user_version = ${schemaVersion(db)}`);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof StoreError) throw err;
    throw classify(err, shown);
  }
}

/** Creates the database when there is none; refuses an empty one unless `emptyIsNew`. */
function prepareFile(file: string, shown: string, emptyIsNew: boolean): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    createWhole(file);
    return;
  }
  if (size === 0 && !emptyIsNew)
    throw new StoreError(
      `${shown} is empty (0 bytes) but this state directory was used before: the database was truncated or lost; restore it from a backup, or delete it to start with empty state`,
      shown,
    );
}

/**
 * Creates an initialised database under a temporary name and links it into place, so `file` never
 * exists half made: a zero-length `file` is then always damage, never a start cut short. Owner-only
 * (0600) from the start because the state holds every manifest, environment variables included;
 * SQLite gives the -wal and -shm files the database's mode. If another process linked its database
 * first, that one is used.
 */
function createWhole(file: string): void {
  const tmp = `${file}.${process.pid}.new`;
  try {
    closeSync(openSync(tmp, "w", 0o600));
    const db = new Database(tmp);
    try {
      db.pragma("journal_mode = WAL");
      migrate(db);
    } finally {
      db.close();
    }
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  } finally {
    for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  }
}

/**
 * Drops the group and other bits an older Sluice left on the files. The owner's bits stay: a file the
 * user made read-only is refused with advice rather than made writable behind their back.
 */
function restrictToOwner(file: string): void {
  if (file === ":memory:") return;
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      const mode = statSync(f).mode & 0o777;
      if ((mode & 0o077) !== 0) chmodSync(f, mode & 0o700);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }
}

/** Throws unless the database is empty, or has only Sluice's tables at a version this build knows. */
function checkOwnership(db: Database.Database, shown: string): void {
  const tables = (
    db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
      )
      .all() as { name: string }[]
  ).map((r) => r.name);
  const version = schemaVersion(db);
  const foreign = tables.find((t) => !KNOWN_TABLES.has(t));
  if (foreign !== undefined)
    throw new StoreError(`${shown} is not a Sluice state database (it has table "${foreign}"); ${MOVE_AWAY}`, shown);
  if (version === 0 && tables.length > 0)
    throw new StoreError(`${shown} is not a Sluice state database (it has no schema version); ${MOVE_AWAY}`, shown);
  if (version > LATEST_VERSION)
    throw new StoreError(
      `${shown} was written by a newer Sluice (schema version ${version}, this one knows up to ${LATEST_VERSION}); upgrade Sluice or pass --state-dir`,
      shown,
    );
}

/** A cheap structural check at startup beats a corruption error in the middle of a rollout. */
function checkIntegrity(db: Database.Database, shown: string): void {
  const rows = db.pragma("quick_check", { simple: false }) as { quick_check: string }[];
  // SQLite reports several lines per problem, under a "*** in database main ***" heading; one is enough.
  const problems = rows
    .flatMap((r) => r.quick_check.split("\n"))
    .map((l) => l.trim())
    .filter((l) => l !== "" && l !== "ok" && !l.startsWith("***"));
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` and ${problems.length - 1} more problem(s)` : "";
    throw new StoreError(
      `${shown} is corrupt (${problems[0]}${more}); restore it from a backup, or move it away to start with empty state`,
      shown,
    );
  }
}

function classify(err: unknown, shown: string): StoreError {
  const code = (err as { code?: string }).code;
  if (code?.startsWith("SQLITE_NOTADB"))
    return new StoreError(`${shown} is not a SQLite database; ${MOVE_AWAY}`, shown, { cause: err });
  if (code?.startsWith("SQLITE_CORRUPT"))
    return new StoreError(
      `${shown} is corrupt (${reason(err)}); restore it from a backup, or move it away to start with empty state`,
      shown,
      { cause: err },
    );
  // SQLite opens a file it may not write read-only and fails at the first write; chmod fails with EPERM.
  if (
    code?.startsWith("SQLITE_READONLY") ||
    code?.startsWith("SQLITE_CANTOPEN") ||
    code === "EACCES" ||
    code === "EPERM"
  )
    return new StoreError(
      `cannot write ${shown} (${reason(err)}); make it and its directory writable by ${currentUser()} (chmod u+w ${shown}, chown, or chattr -i), or pass --state-dir`,
      shown,
      { cause: err },
    );
  return new StoreError(`cannot open ${shown}: ${reason(err)}`, shown, { cause: err });
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? "?"}`;
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
