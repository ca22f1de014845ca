import Database from "better-sqlite3";
import { migrate } from "./migrations.js";

/** An in-memory database at the latest schema, for unit tests. */
export function memoryDb(): Database.Database {
  const db = new Database(":memory:");
  migrate(db);
  return db;
}

/** A clock tests move by hand. */
export function fakeClock(start = "2025-01-01T00:00:00.000Z"): { now: () => Date; advance(ms: number): void } {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms;
    },
  };
}
