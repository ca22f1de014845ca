import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { ChangeNotice, ControlPlane, ResourceKind } from "../ports/control-plane.js";
import { ApiError } from "./errors.js";
import { noticeWithPreviewUrl, type PreviewUrlOf } from "./preview.js";

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
  /** Adds blue-green preview addresses to rollouts in status notices. */
  previewUrl?: PreviewUrlOf;
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
 *
 * With `lastEventId` (the client's `Last-Event-ID`), the stored events after it are sent first,
 * oldest first, and none is sent twice: a client that reconnects misses no event. Status notices
 * carry no id and are not replayed; a client re-reads the resources it follows instead.
 */
export function streamChanges(
  c: Context,
  control: ControlPlane,
  filter: WatchFilter,
  opts: WatchOptions,
  lastEventId?: number,
): Response {
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
    // Read the log after subscribing: an event committed in between is in both, and sent once.
    const missed =
      lastEventId === undefined
        ? []
        : await control.events({ ...filter, sinceId: lastEventId, limit: opts.maxPending + 1 });
    if (missed.length > opts.maxPending) overflowed = true;
    let sentUpTo = lastEventId ?? 0;
    stream.onAbort(() => wake?.());
    try {
      await stream.write(": connected\n\n");
      if (!overflowed)
        for (const event of missed) {
          if (stream.aborted) break;
          await stream.writeSSE({
            event: "event",
            data: JSON.stringify({ type: "event", event } satisfies ChangeNotice),
            id: String(event.id),
          });
          sentUpTo = Math.max(sentUpTo, event.id);
        }
      while (!stream.aborted) {
        if (pending.length === 0 && !overflowed) await sleepUntilWoken(opts.heartbeatMs, (w) => (wake = w));
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
        if (change.type === "event") {
          if (lastEventId !== undefined && change.event.id <= sentUpTo) continue;
          sentUpTo = Math.max(sentUpTo, change.event.id);
        }
        await stream.writeSSE({
          event: change.type,
          data: JSON.stringify(noticeWithPreviewUrl(change, opts.previewUrl)),
          ...(change.type === "event" ? { id: String(change.event.id) } : {}),
        });
      }
    } finally {
      unsubscribe();
    }
  });
}

/**
 * The `Last-Event-ID` header as an event id; undefined when absent or empty.
 * @throws ApiError (Invalid) for anything but a whole number.
 */
export function parseLastEventId(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (!/^\d+$/.test(value.trim()))
    throw new ApiError("Invalid", "Last-Event-ID must be an event id (a whole number)", { path: "Last-Event-ID" });
  return Number(value.trim());
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
