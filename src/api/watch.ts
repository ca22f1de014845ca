import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { ChangeNotice, ControlPlane, ResourceKind } from "../controller/control-plane.js";

/** How a watch is narrowed: by object name and/or kind. */
export interface WatchFilter {
  name?: string;
  kind?: ResourceKind;
}

export interface WatchOptions {
  /** Idle time after which a heartbeat comment is sent, so proxies and clients see a live stream. */
  heartbeatMs: number;
  /** Changes a slow client may have pending before its stream is closed (it reconnects and re-reads). */
  maxPending: number;
}

/** Whether a change concerns the watched object(s). Events match on the object they are about. */
export function matchesFilter(change: ChangeNotice, filter: WatchFilter): boolean {
  const kind = change.type === "event" ? change.event.kind : change.kind;
  const name = change.type === "event" ? change.event.name : change.name;
  return (filter.name === undefined || filter.name === name) && (filter.kind === undefined || filter.kind === kind);
}

/**
 * Streams every matching change as a Server-Sent Event named after its type (`status`, `deleted`,
 * `event`), with the notice as JSON data. A `: connected` comment goes first, once the subscription
 * is in place, so a client knows that every later change will reach it.
 */
export function streamChanges(c: Context, control: ControlPlane, filter: WatchFilter, opts: WatchOptions): Response {
  return streamSSE(c, async (stream) => {
    const pending: ChangeNotice[] = [];
    let overflowed = false;
    let wake: (() => void) | undefined;
    const unsubscribe = control.subscribe((change) => {
      if (!matchesFilter(change, filter)) return;
      if (pending.length >= opts.maxPending) overflowed = true;
      else pending.push(change);
      wake?.();
    });
    stream.onAbort(() => wake?.());
    try {
      await stream.write(": connected\n\n");
      while (!stream.aborted) {
        if (pending.length === 0) await sleepUntilWoken(opts.heartbeatMs, (w) => (wake = w));
        wake = undefined;
        if (stream.aborted) break;
        if (overflowed) {
          await stream.writeSSE({ event: "overflow", data: JSON.stringify({ dropped: true }) });
          break;
        }
        const change = pending.shift();
        if (!change) {
          await stream.write(": heartbeat\n\n");
          continue;
        }
        await stream.writeSSE({
          event: change.type,
          data: JSON.stringify(change),
          ...(change.type === "event" ? { id: String(change.event.id) } : {}),
        });
      }
    } finally {
      unsubscribe();
    }
  });
}

function sleepUntilWoken(ms: number, setWake: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    setWake(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
