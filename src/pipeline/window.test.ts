import { describe, expect, it } from "vitest";
import { ChangeWindow } from "../model/index.js";
import { nextWindowOpening, windowOpenAt, zonedTime } from "./window.js";

const w = (spec: unknown) => ChangeWindow.parse(spec);
const at = (iso: string) => Date.parse(iso);
const next = (window: ChangeWindow, iso: string) => {
  const t = nextWindowOpening(window, at(iso));
  return t === undefined ? undefined : new Date(t).toISOString();
};

describe("zonedTime", () => {
  it("gives the minute of the week from Sunday 00:00 and the UTC offset", () => {
    // Monday 2025-03-03 10:30 UTC is 11:30 in Berlin (UTC+1).
    expect(zonedTime(at("2025-03-03T10:30:00Z"), "Europe/Berlin")).toEqual({
      minuteOfWeek: 1440 + 11 * 60 + 30,
      offsetMs: 3_600_000,
    });
    expect(zonedTime(at("2025-03-08T23:59:30Z"), "UTC").minuteOfWeek).toBe(6 * 1440 + 23 * 60 + 59.5);
    expect(zonedTime(at("2025-07-01T12:00:00Z"), "America/New_York").offsetMs).toBe(-4 * 3_600_000);
  });
});

describe("change windows: Europe/Berlin", () => {
  const weekend = w({ timeZone: "Europe/Berlin", deny: [{ from: "Fri 16:00", to: "Mon 08:00" }] });

  it("is closed from Friday 16:00 to Monday 08:00 local time, edges included and excluded as written", () => {
    expect(windowOpenAt(weekend, at("2025-03-07T14:59:59Z"))).toBe(true); // Fri 15:59:59 CET
    expect(windowOpenAt(weekend, at("2025-03-07T15:00:00Z"))).toBe(false); // Fri 16:00 CET
    expect(windowOpenAt(weekend, at("2025-03-10T06:59:59Z"))).toBe(false); // Mon 07:59:59 CET
    expect(windowOpenAt(weekend, at("2025-03-10T07:00:00Z"))).toBe(true); // Mon 08:00 CET
  });

  it("opens on Monday 08:00 summer time after the weekend the clocks went forward", () => {
    // Clocks go forward on Sunday 2025-03-30; Monday 08:00 CEST is 06:00 UTC, not 07:00.
    expect(next(weekend, "2025-03-28T16:00:00Z")).toBe("2025-03-31T06:00:00.000Z");
  });

  it("opens on Monday 08:00 winter time after the weekend the clocks went back", () => {
    expect(next(weekend, "2025-10-24T15:00:00Z")).toBe("2025-10-27T07:00:00.000Z");
  });

  it("skips the part of a range that does not exist when the clocks go forward", () => {
    const night = w({ timeZone: "Europe/Berlin", allow: [{ days: "Sun", from: "02:30", to: "03:30" }] });
    // 02:00-03:00 does not exist on 2025-03-30: the range opens at 03:00 CEST (01:00 UTC).
    expect(next(night, "2025-03-29T12:00:00Z")).toBe("2025-03-30T01:00:00.000Z");
    expect(windowOpenAt(night, at("2025-03-30T01:29:00Z"))).toBe(true);
    expect(windowOpenAt(night, at("2025-03-30T01:30:00Z"))).toBe(false);
  });

  it("opens at the first occurrence of a time the clocks pass twice, and again at the second", () => {
    const night = w({ timeZone: "Europe/Berlin", allow: [{ days: "Sun", from: "02:30", to: "03:00" }] });
    // 2025-10-26: 02:30 CEST is 00:30 UTC, 02:30 CET is 01:30 UTC.
    expect(next(night, "2025-10-25T12:00:00Z")).toBe("2025-10-26T00:30:00.000Z");
    expect(windowOpenAt(night, at("2025-10-26T00:59:00Z"))).toBe(true);
    expect(windowOpenAt(night, at("2025-10-26T01:15:00Z"))).toBe(false);
    expect(next(night, "2025-10-26T01:00:00Z")).toBe("2025-10-26T01:30:00.000Z");
  });
});

describe("change windows: America/New_York", () => {
  const weekend = w({ timeZone: "America/New_York", deny: [{ from: "Fri 16:00", to: "Mon 08:00" }] });

  it("opens on Monday 08:00 EDT after the clocks went forward on Sunday 2025-03-09", () => {
    expect(next(weekend, "2025-03-07T22:00:00Z")).toBe("2025-03-10T12:00:00.000Z");
  });

  it("opens on Monday 08:00 EST after the clocks went back on Sunday 2025-11-02", () => {
    expect(next(weekend, "2025-10-31T21:00:00Z")).toBe("2025-11-03T13:00:00.000Z");
  });

  it("a daily range in the repeated hour opens at its first occurrence", () => {
    const late = w({ timeZone: "America/New_York", allow: [{ from: "01:30", to: "01:45" }] });
    expect(next(late, "2025-11-02T04:00:00Z")).toBe("2025-11-02T05:30:00.000Z");
    expect(next(late, "2025-11-02T05:50:00Z")).toBe("2025-11-02T06:30:00.000Z");
  });
});

describe("nextWindowOpening", () => {
  it("is now when the window is open", () => {
    const office = w({ timeZone: "UTC", allow: [{ days: "Mon-Fri", from: "09:00", to: "17:00" }] });
    expect(next(office, "2025-03-03T12:34:56.789Z")).toBe("2025-03-03T12:34:56.789Z");
    expect(next(office, "2025-03-03T17:00:00Z")).toBe("2025-03-04T09:00:00.000Z");
    expect(next(office, "2025-03-07T17:00:00Z")).toBe("2025-03-10T09:00:00.000Z");
  });

  it("handles a daily range past midnight", () => {
    const nights = w({ timeZone: "UTC", allow: [{ days: "Mon", from: "22:00", to: "06:00" }] });
    expect(windowOpenAt(nights, at("2025-03-04T05:59:00Z"))).toBe(true); // Tuesday morning
    expect(windowOpenAt(nights, at("2025-03-04T06:00:00Z"))).toBe(false);
    expect(next(nights, "2025-03-04T06:00:00Z")).toBe("2025-03-10T22:00:00.000Z");
  });

  it("is undefined for a window that never opens", () => {
    const never = w({ timeZone: "UTC", deny: [{ from: "00:00", to: "24:00" }] });
    expect(next(never, "2025-03-03T00:00:00Z")).toBeUndefined();
    expect(windowOpenAt(never, at("2025-03-03T00:00:00Z"))).toBe(false);
  });

  it("treats an unknown time zone as closed instead of throwing", () => {
    const bad = { timeZone: "Mars/Olympus", deny: [] };
    expect(windowOpenAt(bad, at("2025-03-03T00:00:00Z"))).toBe(false);
    expect(nextWindowOpening(bad, at("2025-03-03T00:00:00Z"))).toBeUndefined();
  });
});
