import { setTimeout as wait } from "node:timers/promises";
import type { ApiClient } from "../api/client.js";
import { ApiClientError } from "../api/client.js";
import type { ChangeNotice, ResourceKind } from "../ports/control-plane.js";
import { CliError } from "./cli-error.js";

/** How long a watch keeps trying to reach a restarted controller before giving up. */
export const RECONNECT_DEADLINE_MS = 30_000;

/** The line printed (once per loss) when the watch stream breaks. */
export const CONNECTION_LOST = "controller connection lost; reconnecting…";

/** The controller stayed unreachable for the whole reconnect deadline. */
export class ControllerLostError extends Error {
  override readonly name = "ControllerLostError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface ResilientWatchOptions {
  /** The client to start with (the command already read through it). */
  client: ApiClient;
  /**
   * A client for the controller as the state directory describes it now: a restarted controller
   * listens on a new port, so `api.json` is read again before each attempt.
   */
  reconnect: () => ApiClient;
  name?: string;
  kind?: ResourceKind;
  signal: AbortSignal;
  /**
   * Called each time the stream is subscribed, first and after every reconnect, with the client in
   * use: changes missed while disconnected are not replayed as status notices, so re-read here.
   */
  onOpen?: (client: ApiClient, reconnected: boolean) => void;
  /** Where the one "connection lost" line goes. */
  notice: (line: string) => void;
  reconnectDeadlineMs?: number;
  /** Delay before the first retry; it doubles up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Follows the controller's change stream until `signal` aborts, across controller restarts. When
 * the stream breaks it prints one line, then reconnects with backoff, re-reading the state
 * directory each time, and resumes from the last event seen (`Last-Event-ID`), so no event is
 * lost or delivered twice.
 *
 * @throws ControllerLostError when no controller answers within the reconnect deadline.
 */
export async function watchWithReconnect(
  onChange: (change: ChangeNotice) => void,
  opts: ResilientWatchOptions,
): Promise<void> {
  const deadlineMs = opts.reconnectDeadlineMs ?? RECONNECT_DEADLINE_MS;
  const initialBackoff = opts.initialBackoffMs ?? 100;
  const maxBackoff = opts.maxBackoffMs ?? 2_000;
  let client = opts.client;
  let lastEventId: number | undefined;
  let lostAt: number | undefined;
  let backoff = initialBackoff;
  let everOpened = false;

  while (!opts.signal.aborted) {
    try {
      await client.watch(
        (change) => {
          if (change.type === "event") lastEventId = Math.max(lastEventId ?? 0, change.event.id);
          onChange(change);
        },
        opts.signal,
        {
          ...(opts.name ? { name: opts.name } : {}),
          ...(opts.kind ? { kind: opts.kind } : {}),
          ...(lastEventId !== undefined ? { lastEventId } : {}),
          onOpen: () => {
            const reconnected = everOpened;
            everOpened = true;
            lostAt = undefined;
            backoff = initialBackoff;
            opts.onOpen?.(client, reconnected);
          },
        },
      );
      return;
    } catch (err) {
      if (opts.signal.aborted) return;
      if (!retryable(err)) throw err;
      if (lostAt === undefined) {
        lostAt = Date.now();
        opts.notice(CONNECTION_LOST);
      }
      if (Date.now() - lostAt >= deadlineMs)
        throw new ControllerLostError(
          `could not reconnect to the controller within ${Math.round(deadlineMs / 1000)} s (${describe(err)})`,
          { cause: err },
        );
      // An abort ends the wait early; the loop then sees the aborted signal.
      await wait(Math.min(backoff, Math.max(0, lostAt + deadlineMs - Date.now())), undefined, {
        signal: opts.signal,
      }).catch(() => {});
      backoff = Math.min(backoff * 2, maxBackoff);
      try {
        client = opts.reconnect();
      } catch {
        // No api.json yet (the new controller is starting): try again after the next delay.
      }
    }
  }
}

/** Failures a restarting controller causes: no answer, a stream that ends, a state dir in flux. */
function retryable(err: unknown): boolean {
  if (err instanceof ApiClientError) return err.code === "Unavailable" || err.code === "Internal" || err.status >= 500;
  return err instanceof CliError;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
