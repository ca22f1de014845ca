import { chmodSync, closeSync, existsSync, openSync } from "node:fs";
import Database from "better-sqlite3";
import { StoreError } from "./errors.js";
import { KNOWN_TABLES, LATEST_VERSION, migrate, schemaVersion } from "./migrations.js";

const MOVE_AWAY = "move it away or pass --state-dir";

/**
 * Opens (or creates) a Sluice state database and brings its schema up to date. Refuses, with a
 * {@link StoreError}, anything it cannot safely use: a file that is not SQLite, a SQLite database
 * that belongs to something else, a corrupt one, or one written by a newer Sluice. It never resets
 * or rewrites such a file; the user decides what to do with it.
 *
 * `shown` is how the file is named in messages (the path the user would recognise).
 */
export function openDatabase(file: string, shown: string = file): Database.Database {
  let db: Database.Database;
  try {
    createPrivately(file);
    db = new Database(file);
  } catch (err) {
    throw new StoreError(`cannot open ${shown}: ${reason(err)}`, shown, { cause: err });
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
    return db;
  } catch (err) {
    db.close();
    if (err instanceof StoreError) throw err;
    throw classify(err, shown);
  }
}

/**
 * The state holds every manifest (environment variables included) and the event log: owner only.
 * SQLite gives the -wal and -shm files the mode of the database file, so creating that one 0600
 * is enough for new state.
 */
function createPrivately(file: string): void {
  if (file === ":memory:" || existsSync(file)) return;
  try {
    closeSync(openSync(file, "wx", 0o600));
  } catch (err) {
    // Someone else created it in the meantime: open theirs.
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
}

function restrictToOwner(file: string): void {
  if (file === ":memory:") return;
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      chmodSync(f, 0o600);
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
  return new StoreError(`cannot open ${shown}: ${reason(err)}`, shown, { cause: err });
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
