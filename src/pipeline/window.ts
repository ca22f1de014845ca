import type { ChangeWindow } from "../model/index.js";
import { type CompiledWindow, compileWindow, minutesToNextBoundary, openAtMinute } from "./schedule.js";

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    // Time zones come from validated specs, so the cache stays small; the cap guards against the rest.
    if (formatters.size >= 500) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

/** Wall-clock time in a zone: the minute of the week (Sunday 00:00 = 0, fractional) and the UTC offset. */
export interface ZonedTime {
  minuteOfWeek: number;
  offsetMs: number;
}

/** Local time of `t` in `timeZone`, by Intl (the tz database Node.js carries). Throws RangeError on an unknown zone. */
export function zonedTime(t: number, timeZone: string): ZonedTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(t)))
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  const { year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  const ms = ((t % 1000) + 1000) % 1000;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second) + ms;
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return { minuteOfWeek: weekday * 1440 + hour * 60 + minute + (second * 1000 + ms) / 60_000, offsetMs: wall - t };
}

/** Whether releases may enter at instant `t`. An unknown time zone counts as closed: fail safe. */
export function windowOpenAt(window: ChangeWindow | CompiledWindow, t: number): boolean {
  const w = "boundaries" in window ? window : compileWindow(window);
  try {
    return openAtMinute(w, Math.floor(zonedTime(t, w.timeZone).minuteOfWeek));
  } catch {
    return false;
  }
}

/** How far ahead {@link nextWindowOpening} looks: a weekly schedule opens within a week, two for DST slack. */
const HORIZON_MS = 15 * 24 * 3_600_000;

/** The first instant at or after an offset change inside (a, b]; offsets change on whole minutes. */
function offsetChange(a: number, b: number, timeZone: string): number {
  const before = zonedTime(a, timeZone).offsetMs;
  let lo = a;
  let hi = b;
  while (hi - lo > 60_000) {
    const mid = lo + Math.max(1, Math.floor((hi - lo) / 120_000)) * 60_000;
    if (zonedTime(mid, timeZone).offsetMs === before) lo = mid;
    else hi = mid;
  }
  // Transitions fall on whole minutes of UTC; step to the first minute with the new offset.
  const minute = Math.floor(lo / 60_000) * 60_000 + 60_000;
  return Math.min(Math.max(minute, a + 1), hi);
}

/**
 * The first instant at or after `now` when the window is open, or undefined when it does not open
 * within two weeks (it never does; lint reports that). Walks from one boundary of the local
 * schedule to the next, and stops at each change of UTC offset on the way, so a boundary is found
 * at its real instant across daylight-saving changes: a local time that does not exist that day is
 * skipped, and one that occurs twice opens at its first occurrence.
 */
export function nextWindowOpening(window: ChangeWindow | CompiledWindow, now: number): number | undefined {
  const w = "boundaries" in window ? window : compileWindow(window);
  try {
    let t = now;
    for (let i = 0; i < 2000 && t - now <= HORIZON_MS; i++) {
      const local = zonedTime(t, w.timeZone);
      if (openAtMinute(w, Math.floor(local.minuteOfWeek))) return t;
      const next = t + minutesToNextBoundary(w, local.minuteOfWeek) * 60_000;
      t = zonedTime(next, w.timeZone).offsetMs === local.offsetMs ? next : offsetChange(t, next, w.timeZone);
      t = Math.round(t);
    }
  } catch {
    // An unknown time zone never opens; lint and the schema report it.
  }
  return undefined;
}
