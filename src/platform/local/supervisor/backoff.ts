/** Bounds of the restart delay after a crash. */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
}

/**
 * How long to wait before restart number `attempt` (1-based) of a crashed replica: 0.5 s, 1 s,
 * 2 s, … doubling up to 30 s, so a crash loop does not spin the CPU.
 */
export function restartDelayMs(attempt: number, opts: BackoffOptions = {}): number {
  const initial = opts.initialMs ?? 500;
  const max = opts.maxMs ?? 30_000;
  const n = Math.max(1, Math.floor(attempt));
  // Past 2^30 the product only matters as "more than max"; cap the exponent so it stays finite.
  return Math.min(max, initial * 2 ** Math.min(n - 1, 30));
}

/** Crash times within a sliding window, to tell a crash loop from an occasional crash. */
export class CrashWindow {
  private times: number[] = [];

  constructor(readonly windowMs: number) {}

  record(at: number): void {
    this.times.push(at);
    this.prune(at);
  }

  /** Crashes within the window ending at `now`. */
  count(now: number): number {
    this.prune(now);
    return this.times.length;
  }

  /** Milliseconds from the first to the last crash still in the window; 0 with fewer than two. */
  spanMs(now: number): number {
    this.prune(now);
    const first = this.times[0];
    const last = this.times[this.times.length - 1];
    return first === undefined || last === undefined ? 0 : last - first;
  }

  clear(): void {
    this.times = [];
  }

  private prune(now: number): void {
    const from = now - this.windowMs;
    while (this.times.length > 0 && (this.times[0] ?? 0) <= from) this.times.shift();
  }
}
