import { describe, expect, it } from "vitest";
import type { RecordedEntry } from "../../ports/control-plane.js";
import { actorOf, recordedLine, renderRecord } from "./record-view.js";

const entry = (over: Partial<RecordedEntry>): RecordedEntry => ({
  time: "2026-12-04T08:00:00.000Z",
  pipeline: "shop",
  release: "v2",
  stage: "prod",
  type: "Promoted",
  actor: "sluice",
  reason: "passed the gates of prod",
  seq: 1,
  ...over,
});

describe("renderRecord", () => {
  it("prints one line per entry: time, release, stage, type, actor, reason", () => {
    const text = renderRecord([
      entry({ type: "GatePassed", gate: "soak", reason: "soaked", seq: 1 }),
      entry({ type: "Approved", gate: "approval", actor: "alice", actorRoles: ["approver"], reason: "ok", seq: 2 }),
      entry({ type: "Rejected", stage: undefined, actor: "bob", reason: "bad\nbuild", seq: 3 }),
    ]);
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^TIME\s+RELEASE\s+STAGE\s+TYPE\s+ACTOR\s+REASON$/);
    expect(lines[1]).toMatch(/^2026-12-04T08:00:00.000Z\s+v2\s+prod\s+GatePassed soak\s+sluice\s+soaked$/);
    expect(lines[2]).toMatch(/\s+Approved\s+alice \(approver\)\s+ok$/);
    // A reason with a newline stays on its entry's line; an entry about the whole release has no stage.
    expect(lines[3]).toMatch(/v2\s+-\s+Rejected\s+bob\s+bad build$/);
    expect(lines).toHaveLength(4);
  });

  it("says so when the record is empty", () => {
    expect(renderRecord([])).toBe("No entries in the record yet.");
  });
});

describe("recordedLine", () => {
  it("names the entry, the release and stage, the actor with their role, and the reason", () => {
    const e = entry({ type: "Approved", actor: "alice", actorRoles: ["approver"], reason: 'looks "good"', seq: 12 });
    expect(recordedLine(e)).toBe(
      'recorded #12 Approved: release v2 in prod of pipeline shop, by alice (approver) at 2026-12-04T08:00:00.000Z: "looks \\"good\\""',
    );
    expect(actorOf(entry({ actor: "sluice" }))).toBe("sluice");
  });
});
