import type { IncomingMessage } from "node:http";
import type { Dispatcher } from "undici";
import { type Mirror, pickUpstream } from "./compile.js";
import { classOf, ERROR_CLASS, type Telemetry } from "./telemetry.js";

/** Bodies larger than this are not mirrored: copying them would cost memory the real request needs. */
export const MIRROR_BODY_LIMIT = 1024 * 1024;

/** Mirrored requests in flight at most; beyond it copies are dropped, so a slow mirror cannot pile up. */
export const MIRROR_INFLIGHT_LIMIT = 256;

/**
 * Sends fire-and-forget copies of requests to mirror revisions. Copies go through each endpoint's
 * separate mirror pool, their responses are read and dropped, and their outcome is recorded in the
 * mirror revision's telemetry (it is real load on that revision).
 */
export class MirrorSender {
  private inflight = 0;
  /** Copies dropped because too many were in flight. */
  dropped = 0;

  constructor(private readonly telemetry: Telemetry) {}

  /** True if a copy may be started now. */
  get hasRoom(): boolean {
    return this.inflight < MIRROR_INFLIGHT_LIMIT;
  }

  /** Sends one copy of `req` (its head) with `body` to the mirror's revision. */
  send(m: Mirror, req: IncomingMessage, headers: string[], body: Buffer | null): void {
    if (!this.hasRoom) {
      this.dropped++;
      return;
    }
    const u = pickUpstream(m.backend);
    if (!u) return;
    this.inflight++;
    u.begin();
    const sink = new MirrorSink(() => {
      this.inflight--;
      u.end();
      this.telemetry.record(m.backend.series, sink.cls, performance.now() - sink.start);
    });
    try {
      u.mirrorPool.dispatch(
        {
          path: req.url ?? "/",
          method: (req.method ?? "GET") as Dispatcher.HttpMethod,
          headers: [...headers, "x-sluice-mirror", "true"],
          body,
        },
        sink,
      );
    } catch {
      sink.onResponseError();
    }
  }
}

class MirrorSink implements Dispatcher.DispatchHandler {
  readonly start = performance.now();
  cls = ERROR_CLASS;
  private finished = false;

  constructor(private readonly onDone: () => void) {}

  onRequestStart(): void {}

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number): void {
    if (statusCode >= 200) this.cls = classOf(statusCode);
  }

  onResponseData(): void {}

  onResponseEnd(): void {
    this.end();
  }

  onResponseError(): void {
    this.cls = ERROR_CLASS;
    this.end();
  }

  private end(): void {
    if (this.finished) return;
    this.finished = true;
    this.onDone();
  }
}
