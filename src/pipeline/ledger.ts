import type { RecordEntry, RecordEntryType } from "../model/index.js";

/** A record entry with its position in the record, so "after" means appended later, whatever the clocks said. */
export interface Sequenced extends RecordEntry {
  seq: number;
}

const key = (stage: string | undefined, release: string) => `${stage ?? ""}\u0000${release}`;

function push<K>(map: Map<K, Sequenced[]>, k: K, e: Sequenced): void {
  const list = map.get(k);
  if (list) list.push(e);
  else map.set(k, [e]);
}

/**
 * The record indexed for the planner's questions, plus the entries this plan adds (which later
 * questions in the same plan see as well). Only entries of this pipeline count.
 */
export class Ledger {
  private readonly byStageRelease = new Map<string, Sequenced[]>();
  private readonly byRelease = new Map<string, Sequenced[]>();
  private readonly byStage = new Map<string, Sequenced[]>();
  private seq = 0;
  /** Entries this plan appended, in order. */
  readonly added: RecordEntry[] = [];

  constructor(
    readonly pipeline: string,
    record: readonly RecordEntry[],
  ) {
    for (const e of record) if (e.pipeline === pipeline) this.index(e);
  }

  private index(e: RecordEntry): Sequenced {
    const s = { ...e, seq: this.seq++ };
    push(this.byRelease, e.release, s);
    if (e.stage !== undefined) {
      push(this.byStageRelease, key(e.stage, e.release), s);
      push(this.byStage, e.stage, s);
    }
    return s;
  }

  /** Appends an entry to the plan's output and to the index. */
  add(e: RecordEntry): Sequenced {
    this.added.push(e);
    return this.index(e);
  }

  /** Entries about a stage and release, of the given types, appended after `after` (a seq). */
  find(stage: string, release: string, types: readonly RecordEntryType[], after = -1): Sequenced[] {
    return (this.byStageRelease.get(key(stage, release)) ?? []).filter((e) => e.seq > after && types.includes(e.type));
  }

  last(stage: string, release: string, types: readonly RecordEntryType[], after = -1): Sequenced | undefined {
    return this.find(stage, release, types, after).at(-1);
  }

  /** Entries about a stage (any release) of the given types, in order. */
  stageEntries(stage: string, types: readonly RecordEntryType[]): Sequenced[] {
    return (this.byStage.get(stage) ?? []).filter((e) => types.includes(e.type));
  }

  /** The last promotion (Promoted or RolledBack) of the stage: the release the stage should run. */
  desired(stage: string): Sequenced | undefined {
    return this.stageEntries(stage, ["Promoted", "RolledBack"]).at(-1);
  }

  /** Rejected by the last of its Rejected and Unrejected entries. */
  rejected(release: string): Sequenced | undefined {
    const last = (this.byRelease.get(release) ?? [])
      .filter((e) => e.type === "Rejected" || e.type === "Unrejected")
      .at(-1);
    return last?.type === "Rejected" ? last : undefined;
  }

  /** Seq of the last Unrejected of the release (or -1). A failure recorded before it no longer counts. */
  lastUnrejected(release: string): Sequenced | undefined {
    return (this.byRelease.get(release) ?? []).filter((e) => e.type === "Unrejected").at(-1);
  }

  /**
   * Where the current attempt at the stage's gates began: the last Unrejected of the release or
   * Retried of the stage and release. Gate entries from before it no longer count, and the attempt
   * number names fresh analysis runs.
   */
  attempt(stage: string, release: string): { number: number; after: number } {
    const resets = [
      ...(this.byRelease.get(release) ?? []).filter((e) => e.type === "Unrejected"),
      ...this.find(stage, release, ["Retried"]),
    ];
    return { number: resets.length + 1, after: Math.max(-1, ...resets.map((e) => e.seq)) };
  }

  /** True once the release has been Healthy in the stage: it passed there. */
  passed(stage: string, release: string): boolean {
    return this.find(stage, release, ["Healthy"]).length > 0;
  }
}
