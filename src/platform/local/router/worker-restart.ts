/** A worker that served at least this long before it died was not crash-looping. */
export const HEALTHY_RUN_MS = 10_000;
/** The longest wait between two starts of a worker that keeps dying. */
export const MAX_BACKOFF_MS = 5_000;

/**
 * When to start the router's next worker. The first death of a worker that was running fine is
 * answered at once (every millisecond counts: connections are waiting in the backlog); a worker
 * that keeps dying soon after it starts (a saved config it chokes on, say) is started again after
 * 100 ms, 200 ms, 400 ms … up to 5 s, so a crash loop does not eat the machine.
 */
export class CrashLoopBackoff {
  private quickDeaths = 0;

  /** The delay in ms before the next start, given how long the worker that just died ran. */
  next(ranMs: number): number {
    this.quickDeaths = ranMs < HEALTHY_RUN_MS ? this.quickDeaths + 1 : 0;
    return this.quickDeaths <= 1 ? 0 : Math.min(MAX_BACKOFF_MS, 100 * 2 ** (this.quickDeaths - 2));
  }
}
