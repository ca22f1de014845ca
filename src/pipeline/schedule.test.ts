import { describe, expect, it } from "vitest";
import { ChangeWindow, ScheduleRange } from "../model/index.js";
import {
  compileWindow,
  minutesToNextBoundary,
  neverOpens,
  openAtMinute,
  parseDays,
  rangeIntervals,
  WEEK_MINUTES,
} from "./schedule.js";

const MON = 1440;
const range = (r: unknown) => rangeIntervals(ScheduleRange.parse(r));

describe("parseDays", () => {
  it("reads names, ranges, lists and ranges that wrap past Sunday", () => {
    expect(parseDays(undefined)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(parseDays("Mon-Fri")).toEqual([1, 2, 3, 4, 5]);
    expect(parseDays("Sat,Sun")).toEqual([0, 6]);
    expect(parseDays("Fri-Mon")).toEqual([0, 1, 5, 6]);
    expect(parseDays("Mon-Wed,Fri")).toEqual([1, 2, 3, 5]);
  });
});

describe("rangeIntervals", () => {
  it("a daily range on some days", () => {
    expect(range({ days: "Mon,Tue", from: "09:00", to: "17:30" })).toEqual([
      [MON + 540, MON + 1050],
      [2 * MON + 540, 2 * MON + 1050],
    ]);
  });

  it("a daily range past midnight belongs to the day it starts, and Saturday's wraps into Sunday", () => {
    expect(range({ days: "Sat", from: "22:00", to: "02:00" })).toEqual([
      [6 * 1440 + 1320, WEEK_MINUTES],
      [0, 120],
    ]);
  });

  it("a span in the week, wrapping past Saturday midnight", () => {
    expect(range({ from: "Fri 16:00", to: "Mon 08:00" })).toEqual([
      [5 * 1440 + 960, WEEK_MINUTES],
      [0, MON + 480],
    ]);
    expect(range({ from: "Tue 00:00", to: "Tue 24:00" })).toEqual([[2 * 1440, 3 * 1440]]);
  });
});

describe("compiled windows", () => {
  const office = compileWindow(
    ChangeWindow.parse({
      timeZone: "UTC",
      allow: [{ days: "Mon-Fri", from: "09:00", to: "17:00" }],
      deny: [{ days: "Fri", from: "12:00", to: "17:00" }],
    }),
  );

  it("is open in allow and not in deny", () => {
    expect(openAtMinute(office, MON + 540)).toBe(true);
    expect(openAtMinute(office, MON + 539)).toBe(false);
    expect(openAtMinute(office, 5 * 1440 + 700)).toBe(true);
    expect(openAtMinute(office, 5 * 1440 + 720)).toBe(false);
    expect(openAtMinute(office, 0)).toBe(false);
  });

  it("knows the next boundary, wrapping the week", () => {
    expect(minutesToNextBoundary(office, MON + 540)).toBe(480);
    expect(minutesToNextBoundary(office, 6 * 1440)).toBe(1440);
  });

  it("finds windows that never open", () => {
    expect(neverOpens(office)).toBe(false);
    const never = (spec: unknown) => neverOpens(compileWindow(ChangeWindow.parse(spec)));
    expect(never({ timeZone: "UTC", deny: [{ from: "Sun 00:00", to: "Sat 24:00" }] })).toBe(true);
    expect(never({ timeZone: "UTC", deny: [{ from: "00:00", to: "24:00" }] })).toBe(true);
    expect(never({ timeZone: "UTC", allow: [] })).toBe(true);
    expect(
      never({
        timeZone: "UTC",
        allow: [{ days: "Sat", from: "10:00", to: "11:00" }],
        deny: [{ days: "Sat-Sun", from: "00:00", to: "24:00" }],
      }),
    ).toBe(true);
    expect(never({ timeZone: "UTC", deny: [{ from: "00:00", to: "23:59" }] })).toBe(false);
  });
});
