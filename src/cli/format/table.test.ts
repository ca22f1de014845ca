import { describe, expect, it } from "vitest";
import { age, renderTable } from "./table.js";

describe("renderTable", () => {
  it("aligns columns and ignores colour codes", () => {
    const red = `${String.fromCharCode(27)}[31mDegraded${String.fromCharCode(27)}[39m`;
    const out = renderTable(
      ["NAME", "PHASE", "AGE"],
      [
        ["web", red, "3m"],
        ["payments", "Healthy", "1h"],
      ],
    );
    const lines = out.split("\n");
    expect(lines[0]).toBe("NAME      PHASE     AGE");
    expect(lines[2]).toBe("payments  Healthy   1h");
    expect(
      lines[1]?.replaceAll(`${String.fromCharCode(27)}[31m`, "").replaceAll(`${String.fromCharCode(27)}[39m`, ""),
    ).toBe("web       Degraded  3m");
  });
});

describe("age", () => {
  it.each([
    [30, "30s"],
    [300, "5m"],
    [3 * 3600, "3h"],
    [3 * 86400, "3d"],
  ])("%i seconds is %s", (secs, want) => {
    const now = new Date("2026-01-01T00:00:00Z");
    expect(age(new Date(now.getTime() - secs * 1000).toISOString(), now)).toBe(want);
  });
  it("prints a dash for no time", () => expect(age(undefined, new Date())).toBe("-"));
});
