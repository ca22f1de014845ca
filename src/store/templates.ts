import type Database from "better-sqlite3";
import type { WorkloadTemplate } from "../model/index.js";

/** One stored revision template of a rollout. */
export interface StoredTemplate {
  hash: string;
  /** The order in which the store first saw the revision, from 1 (or the number the caller gave). */
  number: number;
  template: WorkloadTemplate;
}

/**
 * The workload template behind each revision hash a rollout has had. Undo needs the template of an
 * old revision after the spec has moved on, and the supervisor needs it to restart an adopted replica.
 */
export class TemplateTable {
  private readonly insert;
  private readonly nextNumber;
  private readonly forRollout;
  private readonly removeAll;

  constructor(
    db: Database.Database,
    private readonly now: () => Date,
  ) {
    // A hash names its template, so a second put of the same hash keeps the first row and number.
    this.insert = db.prepare(
      `INSERT INTO revision_templates (rollout, hash, number, template, created_at) VALUES (@rollout, @hash, @number, @template, @time)
       ON CONFLICT (rollout, hash) DO NOTHING`,
    );
    this.nextNumber = db.prepare<[string], { next: number }>(
      "SELECT COALESCE(MAX(number), 0) + 1 AS next FROM revision_templates WHERE rollout = ?",
    );
    this.forRollout = db.prepare<[string], { hash: string; number: number; template: string }>(
      "SELECT hash, number, template FROM revision_templates WHERE rollout = ? ORDER BY number, hash",
    );
    this.removeAll = db.prepare("DELETE FROM revision_templates WHERE rollout = ?");
  }

  put(rollout: string, hash: string, template: WorkloadTemplate, number?: number): void {
    this.insert.run({
      rollout,
      hash,
      number: number ?? this.nextNumber.get(rollout)!.next,
      template: JSON.stringify(template),
      time: this.now().toISOString(),
    });
  }

  list(rollout: string): StoredTemplate[] {
    return this.forRollout
      .all(rollout)
      .map((r) => ({ hash: r.hash, number: r.number, template: JSON.parse(r.template) as WorkloadTemplate }));
  }

  deleteAll(rollout: string): number {
    return this.removeAll.run(rollout).changes;
  }
}
