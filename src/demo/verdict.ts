import type { JourneyRow } from "./journey.js";
import type { PhaseTraffic } from "./load.js";

/** One thing the demo set out to show, and whether it did. */
export interface StepResult {
  name: string;
  intended: string;
  outcome: string;
  ok: boolean;
}

/** Production's load in two parts: until the bad release was created, and while it was in canary. */
export interface ProductionTraffic {
  before: PhaseTraffic;
  during: PhaseTraffic;
}

function versions(t: PhaseTraffic): string {
  const parts = Object.entries(t.byVersion)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([v, n]) => `v${v} ${n}`);
  return parts.length > 0 ? parts.join(", ") : "none";
}

/**
 * What production users must have seen for the journey to count: no failed request at all, only
 * the good version while the bad release was in canary, and the bad release in no stage after
 * canary, in that order (the first stands on its own when the bad release never ran). Pure, from
 * the record's rows and the load generator's counts.
 */
export function productionVerdict(rows: readonly JourneyRow[], prod: ProductionTraffic, bad: string): StepResult[] {
  const failed = prod.before.errors + prod.during.errors;
  const requests = prod.before.requests + prod.during.requests;
  const during = Object.keys(prod.during.byVersion);
  const later = rows.filter((r) => r.release === bad && r.stage !== "canary");
  const reached = later.filter((r) => r.outcome !== "Never entered");
  return [
    {
      name: "production: no failed request",
      intended: "0 failed",
      outcome: `${failed} failed of ${requests}`,
      ok: failed === 0 && requests > 0,
    },
    {
      name: `production: only v2.0 while ${bad} was in canary`,
      intended: "v2.0 only",
      outcome: versions(prod.during),
      ok: during.length === 1 && during[0] === "2.0",
    },
    {
      name: `${bad} never reached staging or production`,
      intended: "Never entered",
      outcome: reached.length === 0 ? "never entered" : reached.map((r) => `${r.stage}: ${r.outcome}`).join(", "),
      ok: later.length > 0 && reached.length === 0,
    },
  ];
}

/**
 * The closing figures: production's load, and what the canary environment's users saw of the bad
 * release. `canary` is left out when the bad release never ran (an earlier step failed, or Ctrl-C).
 */
export function trafficLines(
  prod: ProductionTraffic,
  canary: PhaseTraffic | undefined,
  rate: number,
  bad: string,
): string[] {
  const all = prod.before.requests + prod.during.requests;
  const failed = prod.before.errors + prod.during.errors;
  const lines = [`production, under ${rate} req/s from start to end: ${all} requests, ${failed} failed`];
  if (!canary) return lines;
  lines.push(
    `  until ${bad} was created: ${prod.before.requests} requests (${versions(prod.before)}), ${prod.before.errors} failed`,
    `  while ${bad} was in canary: ${prod.during.requests} requests (${versions(prod.during)}), ${prod.during.errors} failed`,
  );
  const recovery =
    canary.firstBadAt !== undefined && canary.lastBadRevisionAt !== undefined
      ? `; first bad answer → all traffic back on stable: ${((canary.lastBadRevisionAt - canary.firstBadAt) / 1000).toFixed(2)} s`
      : "";
  lines.push(
    `canary environment while ${bad} ran there: ${canary.requests} requests, ${canary.errors} failed (injected by ${bad})${recovery}`,
  );
  return lines;
}
