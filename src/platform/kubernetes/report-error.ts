/**
 * Hands `err` to a logging callback that may itself throw. Watches and lease loops report
 * through this, so a broken logger can never stop them.
 */
export function reportError(onError: ((err: unknown) => void) | undefined, err: unknown): void {
  try {
    onError?.(err);
  } catch {
    // The callback is for logging; its own failure has nowhere better to go.
  }
}
