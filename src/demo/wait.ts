/** A condition the demo waited for that did not hold in time, or a wait cut short by Ctrl-C. */
export class DemoWaitError extends Error {
  override readonly name = "DemoWaitError";
}

/**
 * Polls `fn` every 100 ms until it returns something other than undefined and resolves with it.
 * `fn` may throw to give up at once (a release rejected while the demo waits for it to pass).
 */
export async function until<T>(
  fn: () => T | undefined,
  opts: { timeoutMs: number; what: string; signal?: AbortSignal | undefined },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (opts.signal?.aborted) throw new DemoWaitError(`interrupted while waiting for ${opts.what}`);
    const value = fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new DemoWaitError(`${opts.what} did not happen within ${Math.round(opts.timeoutMs / 1000)} s`);
    await sleep(100, opts.signal);
  }
}

/** Waits `ms`, or less if `signal` aborts (the caller then sees `signal.aborted`). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
