/**
 * A deduplicating work queue with wake-up timers, after controller-runtime's: a key queued while it
 * is being processed runs once more afterwards; a key is never processed twice at the same time.
 * Up to `concurrency` different keys are processed at once (default 1, which keeps reconciles of
 * one store strictly ordered, as the local platform's SQLite store wants).
 */
export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly active = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly process: (key: string) => Promise<void>,
    private readonly onError: (key: string, err: unknown) => void,
    private readonly now: () => number = Date.now,
    private readonly concurrency = 1,
  ) {}

  /** Queues a key to be processed as soon as possible. */
  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    this.drain();
  }

  /**
   * Queues a key at `at` (epoch ms). An earlier wake-up replaces a later one; a later one never
   * postpones an earlier one.
   */
  addAt(key: string, at: number): void {
    if (this.stopped) return;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at && existing.at > this.now()) return;
    if (existing) clearTimeout(existing.timer);
    // setTimeout's limit is 2^31-1 ms; re-arming on the next reconcile covers longer waits.
    const delay = Math.min(Math.max(0, at - this.now()), 2_147_483_000);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delay);
    this.timers.set(key, { at, timer });
  }

  /** Drops a key's pending run and wake-up (its object is gone). A run in progress finishes. */
  forget(key: string): void {
    this.pending.delete(key);
    const t = this.timers.get(key);
    if (t) clearTimeout(t.timer);
    this.timers.delete(key);
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (this.active.size === 0 && this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.pending.clear();
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Starts a worker for each free slot and each pending key not already being processed. */
  private drain(): void {
    while (!this.stopped && this.active.size < this.concurrency) {
      const key = this.nextKey();
      if (key === undefined) break;
      this.pending.delete(key);
      this.active.add(key);
      void this.run(key);
    }
    if (this.active.size === 0 && (this.pending.size === 0 || this.stopped)) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private nextKey(): string | undefined {
    for (const key of this.pending) if (!this.active.has(key)) return key;
    return undefined;
  }

  private async run(key: string): Promise<void> {
    try {
      await this.process(key);
    } catch (err) {
      this.onError(key, err);
    } finally {
      this.active.delete(key);
      this.drain();
    }
  }
}
