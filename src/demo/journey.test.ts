import { describe, expect, it } from "vitest";
import type { RecordEntry } from "../model/index.js";
import { formatEntry, journeyRows, journeyTable, sinceStart } from "./journey.js";

const T0 = Date.parse("2026-01-01T00:00:00Z");
let clock = 0;
function entry(release: string, stage: string | undefined, type: RecordEntry["type"], more: Partial<RecordEntry> = {}) {
  clock += 1000;
  return {
    time: new Date(T0 + clock).toISOString(),
    pipeline: "demo",
    release,
    ...(stage ? { stage } : {}),
    type,
    actor: "sluice",
    reason: `${type} ${release}`,
    ...more,
  } as RecordEntry;
}

const STAGES = ["canary", "staging", "production"];

describe("journeyRows", () => {
  clock = 0;
  const record: RecordEntry[] = [
    entry("v2-0", "canary", "Promoted", { reason: "passed the gates of canary" }),
    entry("v2-0", "canary", "Entered"),
    entry("v2-0", "canary", "Healthy"),
    entry("v2-0", "staging", "GatePassed", { gate: "checks" }),
    entry("v2-0", "staging", "Promoted"),
    entry("v2-0", "staging", "Healthy"),
    entry("v2-0", "production", "ApprovalRequested", { gate: "approval" }),
    entry("v2-0", "production", "Approved", { actor: "demo-approver", actorRoles: ["approver"] }),
    entry("v2-0", "production", "Promoted", { reason: "passed the gates of production; approved by demo-approver" }),
    entry("v2-0", "production", "Healthy"),
    entry("v2-1", "canary", "Promoted"),
    entry("v2-1", "canary", "Failed", { reason: "demo-canary aborted on v2-1" }),
    entry("v2-1", "canary", "Rejected", { reason: "failed in canary" }),
  ];
  const rows = journeyRows(record, ["v2-0", "v2-1"], STAGES);

  it("gives one row per stage per release, in release then stage order", () => {
    expect(rows.map((r) => `${r.release}/${r.stage}`)).toEqual([
      "v2-0/canary",
      "v2-0/staging",
      "v2-0/production",
      "v2-1/canary",
      "v2-1/staging",
      "v2-1/production",
    ]);
  });

  it("names the approver as the actor of a stage behind an approval, and the controller elsewhere", () => {
    expect(rows[0]).toMatchObject({ outcome: "Healthy", actor: "sluice", detail: "passed the gates of canary" });
    expect(rows[2]).toMatchObject({
      outcome: "Healthy",
      actor: "demo-approver",
      when: record[9]!.time,
      detail: "passed the gates of production; approved by demo-approver",
    });
  });

  it("shows a release that failed as Rejected where it failed and never entered after", () => {
    expect(rows[3]).toMatchObject({
      outcome: "Rejected",
      when: record[11]!.time,
      detail: "demo-canary aborted on v2-1",
    });
    expect(rows[4]).toMatchObject({ outcome: "Never entered", detail: "rejected: failed in canary" });
    expect(rows[4]!.when).toBeUndefined();
    expect(rows[5]!.outcome).toBe("Never entered");
  });

  it("shows a release still on its way as Promoting or Waiting", () => {
    const partial = journeyRows(record.slice(0, 8), ["v2-0"], STAGES);
    expect(partial.map((r) => r.outcome)).toEqual(["Healthy", "Healthy", "Waiting"]);
    expect(partial[2]).toMatchObject({ actor: "demo-approver", detail: "Approved: Approved v2-0" });
    expect(journeyRows(record.slice(0, 1), ["v2-0"], STAGES)[0]!.outcome).toBe("Promoting");
    expect(journeyRows([], ["v2-0"], STAGES)[1]).toMatchObject({
      outcome: "Waiting",
      detail: "has not reached this stage",
    });
  });

  it("does not count a rejection a person lifted", () => {
    const lifted = [...record, entry("v2-1", undefined, "Unrejected", { actor: "ops" })];
    const again = journeyRows(lifted, ["v2-1"], STAGES);
    expect(again[0]!.outcome).toBe("Failed");
    expect(again[1]!.outcome).toBe("Waiting");
  });
});

describe("journeyTable", () => {
  it("prints times since the demo started and dashes for what did not happen", () => {
    const table = journeyTable(
      [
        {
          stage: "canary",
          release: "v2-1",
          outcome: "Rejected",
          when: new Date(T0 + 12_340).toISOString(),
          actor: "sluice",
          detail: "aborted",
        },
        { stage: "staging", release: "v2-1", outcome: "Never entered", detail: "rejected in canary" },
      ],
      T0,
    );
    expect(table.split("\n")).toEqual([
      "STAGE    RELEASE  OUTCOME        WHEN    ACTOR   WHY",
      "canary   v2-1     Rejected       +12.3s  sluice  aborted",
      "staging  v2-1     Never entered  -       -       rejected in canary",
    ]);
  });
});

describe("formatEntry and sinceStart", () => {
  it("formats a record entry as one line with its gate and actor", () => {
    const line = formatEntry({
      time: "2026-01-01T00:00:01Z",
      pipeline: "demo",
      release: "v2-0",
      stage: "staging",
      type: "GatePassed",
      gate: "soak",
      actor: "sluice",
      reason: "Healthy in canary for 3s",
    });
    expect(line).toMatch(/^staging +v2-0 +GatePassed \(soak\) +by sluice: Healthy in canary for 3s$/);
    expect(sinceStart(undefined, T0)).toBe("-");
    expect(sinceStart(new Date(T0 + 1500).toISOString(), T0)).toBe("+1.5s");
  });
});
