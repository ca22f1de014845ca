import { describe, expect, it } from "vitest";
import type { JourneyRow } from "./journey.js";
import type { PhaseTraffic } from "./load.js";
import { productionVerdict, trafficLines } from "./verdict.js";

function traffic(byVersion: Record<string, number>, errors = 0, more: Partial<PhaseTraffic> = {}): PhaseTraffic {
  const requests = Object.values(byVersion).reduce((a, b) => a + b, 0);
  return { requests, errors, skipped: 0, byRevision: {}, byVersion, ...more };
}

const never = (stage: string): JourneyRow => ({ stage, release: "v2-1", outcome: "Never entered", detail: "rejected" });
const ROWS: JourneyRow[] = [
  { stage: "canary", release: "v2-1", outcome: "Rejected", detail: "aborted" },
  never("staging"),
  never("production"),
];

describe("productionVerdict", () => {
  it("passes when production failed nothing, served only v2.0 while v2-1 was in canary, and v2-1 went no further", () => {
    const steps = productionVerdict(
      ROWS,
      { before: traffic({ "1.0": 90, "2.0": 10 }), during: traffic({ "2.0": 50 }) },
      "v2-1",
    );
    expect(steps.map((s) => s.ok)).toEqual([true, true, true]);
    expect(steps[0]!.outcome).toBe("0 failed of 150");
  });

  it("fails on a single failed production request, before or during", () => {
    const before = productionVerdict(ROWS, { before: traffic({ "1.0": 9 }, 1), during: traffic({ "2.0": 5 }) }, "v2-1");
    const during = productionVerdict(ROWS, { before: traffic({ "1.0": 9 }), during: traffic({ "2.0": 5 }, 1) }, "v2-1");
    expect(before[0]!.ok).toBe(false);
    expect(during[0]!.ok).toBe(false);
  });

  it("fails when production answered with another version while v2-1 was in canary, or saw no traffic", () => {
    const mixed = productionVerdict(
      ROWS,
      { before: traffic({ "1.0": 9 }), during: traffic({ "2.0": 5, "2.1": 1 }) },
      "v2-1",
    );
    expect(mixed[1]).toMatchObject({ ok: false, outcome: "v2.0 5, v2.1 1" });
    const none = productionVerdict(ROWS, { before: traffic({}), during: traffic({}) }, "v2-1");
    expect(none[0]!.ok).toBe(false);
    expect(none[1]!.ok).toBe(false);
  });

  it("fails when v2-1 reached a later stage, or the record has no row for one", () => {
    const reached = productionVerdict(
      [ROWS[0]!, { ...never("staging"), outcome: "Healthy" }, never("production")],
      { before: traffic({ "1.0": 1 }), during: traffic({ "2.0": 1 }) },
      "v2-1",
    );
    expect(reached[2]).toMatchObject({ ok: false, outcome: "staging: Healthy" });
    const missing = productionVerdict(
      [ROWS[0]!],
      { before: traffic({ "1.0": 1 }), during: traffic({ "2.0": 1 }) },
      "v2-1",
    );
    expect(missing[2]!.ok).toBe(false);
  });
});

describe("trafficLines", () => {
  it("sums production's two parts and gives the canary's recovery time", () => {
    const lines = trafficLines(
      { before: traffic({ "1.0": 80, "2.0": 20 }), during: traffic({ "2.0": 40 }) },
      traffic({ "2.0": 30, "2.1": 3 }, 2, { firstBadAt: 1_000, lastBadRevisionAt: 4_250 }),
      100,
      "v2-1",
    );
    expect(lines[0]).toBe("production, under 100 req/s from start to end: 140 requests, 0 failed");
    expect(lines[1]).toContain("100 requests (v1.0 80, v2.0 20), 0 failed");
    expect(lines[3]).toContain("33 requests, 2 failed");
    expect(lines[3]).toContain("3.25 s");
  });

  it("gives only production's total when the bad release never ran", () => {
    const lines = trafficLines(
      { before: traffic({ "1.0": 80 }), during: traffic({ "1.0": 20 }) },
      undefined,
      100,
      "v2-1",
    );
    expect(lines).toEqual(["production, under 100 req/s from start to end: 100 requests, 0 failed"]);
  });
});
