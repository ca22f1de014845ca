import type Database from "better-sqlite3";
import { RecordEntry } from "../model/index.js";
import type { RecordedEntry } from "../ports/control-plane.js";

/** Which part of a pipeline's record to read. */
export interface RecordFilter {
  release?: string;
  /** Only entries appended after this one. */
  sinceSeq?: number;
  /** The newest this many (after the other filters), still oldest first. */
  limit?: number;
}

/**
 * The pipeline record: append-only, one row per entry, ordered by `seq`. An entry is never
 * changed or deleted (deleting a pipeline leaves its record), so approvals and rejections stay
 * attributable after anything else happens.
 */
export class PipelineRecordTable {
  private readonly insert;
  private readonly select;
  private readonly selectSince;

  constructor(db: Database.Database) {
    this.insert = db.prepare<[string, string]>("INSERT INTO pipeline_record (pipeline, entry) VALUES (?, ?)");
    this.select = db.prepare<[string], { seq: number; entry: string }>(
      "SELECT seq, entry FROM pipeline_record WHERE pipeline = ? ORDER BY seq",
    );
    this.selectSince = db.prepare<[string, number], { seq: number; entry: string }>(
      "SELECT seq, entry FROM pipeline_record WHERE pipeline = ? AND seq > ? ORDER BY seq",
    );
  }

  /** Appends entries in order; the caller runs it inside the transaction that must include them. */
  append(entries: readonly RecordEntry[]): RecordedEntry[] {
    return entries.map((e) => {
      const entry = RecordEntry.parse(e);
      const { lastInsertRowid } = this.insert.run(entry.pipeline, JSON.stringify(entry));
      return { ...entry, seq: Number(lastInsertRowid) };
    });
  }

  list(pipeline: string, filter: RecordFilter = {}): RecordedEntry[] {
    const rows =
      filter.sinceSeq === undefined ? this.select.all(pipeline) : this.selectSince.all(pipeline, filter.sinceSeq);
    let out = rows.map((r) => ({ ...(JSON.parse(r.entry) as RecordEntry), seq: r.seq }));
    if (filter.release !== undefined) out = out.filter((e) => e.release === filter.release);
    if (filter.limit !== undefined) out = out.slice(Math.max(0, out.length - filter.limit));
    return out;
  }
}
