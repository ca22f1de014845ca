import type { RecordedEntry } from "../../ports/control-plane.js";
import { renderTable } from "./table.js";

/** An entry's type, with the gate when the type alone does not say which: `GatePassed soak`, `Failed checks`. */
function typeOf(e: RecordedEntry): string {
  return e.gate && (e.type === "GatePassed" || e.type === "Failed") ? `${e.type} ${e.gate}` : e.type;
}

/** The actor with the role it acted in, when the API recorded one: `alice (approver)`. */
export function actorOf(e: RecordedEntry): string {
  return e.actorRoles?.length ? `${e.actor} (${e.actorRoles.join(",")})` : e.actor;
}

/**
 * `sluice pipeline history`: the record, oldest first, one line per entry: time, release, stage,
 * type, actor, reason.
 */
export function renderRecord(entries: readonly RecordedEntry[]): string {
  if (entries.length === 0) return "No entries in the record yet.";
  return renderTable(
    ["TIME", "RELEASE", "STAGE", "TYPE", "ACTOR", "REASON"],
    entries.map((e) => [e.time, e.release, e.stage ?? "-", typeOf(e), actorOf(e), oneLine(e.reason)]),
  );
}

/**
 * What a person's request wrote to the record, as the command that sent it prints it:
 * `recorded #12 Approved: release v2 in prod of pipeline shop, by alice (approver) at …: "looks good"`.
 */
export function recordedLine(e: RecordedEntry): string {
  const where = e.stage ? ` in ${e.stage}` : "";
  return `recorded #${e.seq} ${e.type}: release ${e.release}${where} of pipeline ${e.pipeline}, by ${actorOf(e)} at ${e.time}: ${JSON.stringify(e.reason)}`;
}

// A reason is free text: keep each entry on its one line.
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ");
}
