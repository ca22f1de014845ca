/**
 * The rate scheduler of generated load: a pure function of the clock and of what has been sent, so
 * the pacing is tested with a fake clock. Open loop: requests are due at a fixed rate whether or not
 * the target keeps up (a slow canary must not slow its own load down and hide its latency). When
 * every connection is busy, due requests wait; past a quarter second's worth (or one round of
 * connections, if more) the late ones are skipped and counted as missed, so a stalled target is
 * not hit by a long catch-up when it recovers, while a short pause of the event loop is made up.
 */

/** Where a load run stands, as its sender sees it. */
export interface ScheduleState {
  /** When the run started (ms since epoch or any monotonic origin). */
  startedAt: number;
  /** Requests per second, > 0. */
  rate: number;
  /** How long the run lasts in ms; undefined: until it is stopped. */
  durationMs?: number;
  /** Requests started or skipped so far: the index of the next due request. */
  issued: number;
  /** Requests started and not yet answered. */
  inFlight: number;
  /** Requests allowed in flight at once, >= 1. */
  concurrency: number;
}

/** What the sender does now. */
export interface SchedulePlan {
  /** Requests to start now. */
  start: number;
  /** Due requests to skip (count as missed): they are too late to send without a burst. */
  skip: number;
  /** When to look again (same clock as `startedAt`); undefined when the run is over. */
  wakeAt?: number;
  /** True when every request of the run has been issued. */
  done: boolean;
}

/** Requests due by `now`: one at the start, then one every 1/rate s, none at or after the end. */
export function dueBy(startedAt: number, rate: number, now: number, durationMs?: number): number {
  if (now < startedAt) return 0;
  const horizon = durationMs === undefined ? now : Math.min(now, startedAt + durationMs - 1e-9);
  if (horizon < startedAt) return 0;
  return Math.floor(((horizon - startedAt) * rate) / 1000) + 1;
}

/** The total number of requests a run of `durationMs` at `rate` issues. */
export function totalOf(rate: number, durationMs: number): number {
  return durationMs <= 0 ? 0 : dueBy(0, rate, durationMs, durationMs);
}

/** Decides what to start and skip at `now`. */
export function plan(s: ScheduleState, now: number): SchedulePlan {
  const due = dueBy(s.startedAt, s.rate, now, s.durationMs);
  const late = Math.max(0, due - s.issued);
  const free = Math.max(0, s.concurrency - s.inFlight);
  const start = Math.min(late, free);
  // Requests still waiting beyond the allowance are skipped, not queued.
  const skip = Math.max(0, late - start - catchUpAllowance(s.rate, s.concurrency));
  const issued = s.issued + start + skip;
  const total = s.durationMs === undefined ? Number.POSITIVE_INFINITY : totalOf(s.rate, s.durationMs);
  const done = issued >= total;
  if (done) return { start, skip, done };
  // Next request is due at issued/rate; if it is already due we are waiting on a free connection,
  // which the sender learns of by a completion, so a short poll suffices.
  const nextAt = s.startedAt + (issued * 1000) / s.rate;
  return { start, skip, done, wakeAt: Math.max(nextAt, now + (issued < due ? 1 : 0)) };
}

/** Late requests a run still sends rather than skips: a quarter second's worth, at least one round of connections. */
export function catchUpAllowance(rate: number, concurrency: number): number {
  return Math.max(concurrency, Math.ceil(rate / 4));
}
