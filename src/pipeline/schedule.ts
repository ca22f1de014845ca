import type { ChangeWindow, ScheduleRange } from "../model/index.js";

/** Minutes in a week; a time in the week counts from Sunday 00:00, as `Date.getUTCDay` numbers days. */
export const WEEK_MINUTES = 7 * 1440;

const DAY_INDEX: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** A half-open stretch [start, end) of minutes in the week, 0 <= start < end <= WEEK_MINUTES. */
export type Interval = readonly [number, number];

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  return h * 60 + m;
}

/** The days named by `Mon-Fri`, `Sat,Sun`, `Fri-Mon` (wrapping); every day when left out. */
export function parseDays(days: string | undefined): number[] {
  if (days === undefined) return [0, 1, 2, 3, 4, 5, 6];
  const out = new Set<number>();
  for (const part of days.split(",")) {
    const [a, b] = part.split("-") as [string, string | undefined];
    const first = DAY_INDEX[a] ?? 0;
    const last = b === undefined ? first : (DAY_INDEX[b] ?? first);
    for (let d = first; ; d = (d + 1) % 7) {
      out.add(d);
      if (d === last) break;
    }
  }
  return [...out].sort((x, y) => x - y);
}

/** [start, end) in the week, split in two where it wraps past Saturday midnight. */
function wrapped(start: number, end: number): Interval[] {
  const s = ((start % WEEK_MINUTES) + WEEK_MINUTES) % WEEK_MINUTES;
  const length = (((end - start) % WEEK_MINUTES) + WEEK_MINUTES) % WEEK_MINUTES || WEEK_MINUTES;
  const e = s + length;
  return e <= WEEK_MINUTES
    ? [[s, e]]
    : [
        [s, WEEK_MINUTES],
        [0, e - WEEK_MINUTES],
      ];
}

/** The minutes of the week a range covers. Assumes the range passed its schema. */
export function rangeIntervals(range: ScheduleRange): Interval[] {
  const weekly = range.from.includes(" ");
  if (weekly) {
    const [fromDay, fromTime] = range.from.split(" ") as [string, string];
    const [toDay, toTime] = range.to.split(" ") as [string, string];
    const start = (DAY_INDEX[fromDay] ?? 0) * 1440 + minutesOf(fromTime);
    const end = (DAY_INDEX[toDay] ?? 0) * 1440 + minutesOf(toTime);
    return wrapped(start, end);
  }
  const from = minutesOf(range.from);
  const to = minutesOf(range.to);
  // A range whose end is not after its start runs past midnight into the next day.
  const length = to > from ? to - from : to + 1440 - from;
  return parseDays(range.days).flatMap((d) => wrapped(d * 1440 + from, d * 1440 + from + length));
}

/** A window reduced to minute intervals, ready to evaluate many times. */
export interface CompiledWindow {
  timeZone: string;
  /** undefined = every time is allowed unless denied. */
  allow: Interval[] | undefined;
  deny: Interval[];
  /** Every minute of the week at which openness may change, sorted, with 0 included. */
  boundaries: number[];
}

export function compileWindow(window: ChangeWindow): CompiledWindow {
  const allow = window.allow?.flatMap(rangeIntervals);
  const deny = window.deny.flatMap(rangeIntervals);
  const points = new Set<number>([0]);
  for (const [s, e] of [...(allow ?? []), ...deny]) {
    points.add(s);
    if (e < WEEK_MINUTES) points.add(e);
  }
  return { timeZone: window.timeZone, allow, deny, boundaries: [...points].sort((a, b) => a - b) };
}

const inside = (intervals: readonly Interval[], minute: number) =>
  intervals.some(([s, e]) => minute >= s && minute < e);

/** Whether the window is open at a minute of the week (local time in its zone). */
export function openAtMinute(w: CompiledWindow, minute: number): boolean {
  if (w.allow !== undefined && !inside(w.allow, minute)) return false;
  return !inside(w.deny, minute);
}

/** True when no minute of the week is open: the stage could never be entered. */
export function neverOpens(w: CompiledWindow): boolean {
  // Openness is constant between boundaries, so the boundaries are the only minutes to test.
  return !w.boundaries.some((m) => openAtMinute(w, m));
}

/** The next boundary strictly after `minute` (fractional), as minutes ahead of it (wrapping the week). */
export function minutesToNextBoundary(w: CompiledWindow, minute: number): number {
  const next = w.boundaries.find((b) => b > minute);
  return next === undefined ? WEEK_MINUTES - minute + (w.boundaries[0] ?? 0) : next - minute;
}
