import { renderTable } from "../cli/format/table.js";
import type { RecordEntry } from "../model/index.js";

/** How one release ended in one stage, as the pipeline's record tells it. */
export interface JourneyRow {
  stage: string;
  release: string;
  /** Healthy (it passed the stage), Rejected (it failed there), Never entered, or where it still is. */
  outcome: "Healthy" | "Rejected" | "Failed" | "Promoting" | "Waiting" | "Never entered";
  /** RFC 3339 time of the entry that decided the outcome. */
  when?: string;
  /** Who let the release in (the approver, where the stage asks for one) or who failed it. */
  actor?: string;
  detail: string;
}

const last = <T>(items: readonly T[], pred: (item: T) => boolean): T | undefined => items.findLast(pred);

/** Why the release may go no further, or undefined while it may. */
function rejection(record: readonly RecordEntry[], release: string): RecordEntry | undefined {
  const e = last(record, (x) => x.release === release && (x.type === "Rejected" || x.type === "Unrejected"));
  return e?.type === "Rejected" ? e : undefined;
}

/**
 * One row per stage per release, read from the pipeline's record only: what happened to each
 * release in each stage, when, and on whose word. Pure, so the demo's closing table is tested
 * without running anything.
 */
export function journeyRows(
  record: readonly RecordEntry[],
  releases: readonly string[],
  stages: readonly string[],
): JourneyRow[] {
  const rows: JourneyRow[] = [];
  for (const release of releases) {
    const rejected = rejection(record, release);
    for (const stage of stages) {
      const here = record.filter((e) => e.release === release && e.stage === stage);
      const promoted = last(here, (e) => e.type === "Promoted" || e.type === "RolledBack");
      const outcome = last(here, (e) => e.type === "Healthy" || e.type === "Failed");
      const base = { stage, release };
      if (outcome?.type === "Healthy") {
        const approved = last(here, (e) => e.type === "Approved");
        rows.push({
          ...base,
          outcome: "Healthy",
          when: outcome.time,
          actor: approved?.actor ?? promoted?.actor ?? outcome.actor,
          detail: promoted?.reason ?? outcome.reason,
        });
      } else if (outcome?.type === "Failed")
        rows.push({
          ...base,
          outcome: rejected ? "Rejected" : "Failed",
          when: outcome.time,
          actor: outcome.actor,
          detail: outcome.reason,
        });
      else if (promoted)
        rows.push({
          ...base,
          outcome: "Promoting",
          when: promoted.time,
          actor: promoted.actor,
          detail: promoted.reason,
        });
      else if (rejected)
        rows.push({
          ...base,
          outcome: "Never entered",
          detail: `rejected: ${rejected.reason}`,
        });
      else {
        const latest = here.at(-1);
        rows.push({
          ...base,
          outcome: "Waiting",
          ...(latest ? { when: latest.time, actor: latest.actor } : {}),
          detail: latest ? `${latest.type}: ${latest.reason}` : "has not reached this stage",
        });
      }
    }
  }
  return rows;
}

/** Seconds since `t0` as `+12.3s`, the clock the demo's log lines use. */
export function sinceStart(time: string | undefined, t0: number): string {
  if (time === undefined) return "-";
  return `+${((Date.parse(time) - t0) / 1000).toFixed(1)}s`;
}

/** The closing table: one row per stage per release. */
export function journeyTable(rows: readonly JourneyRow[], t0: number): string {
  return renderTable(
    ["STAGE", "RELEASE", "OUTCOME", "WHEN", "ACTOR", "WHY"],
    rows.map((r) => [r.stage, r.release, r.outcome, sinceStart(r.when, t0), r.actor ?? "-", r.detail]),
  );
}

/** One record entry as a log line: stage, release, what happened, who, why. */
export function formatEntry(e: RecordEntry): string {
  const gate = e.gate ? ` (${e.gate})` : "";
  return `${(e.stage ?? "-").padEnd(10)} ${e.release.padEnd(5)} ${`${e.type}${gate}`.padEnd(30)} by ${e.actor}: ${e.reason}`;
}
