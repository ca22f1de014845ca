import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import { type Backend, eject, pickUpstream } from "./compile.js";
import { clientResponseHeaders } from "./headers.js";
import { classOf, ERROR_CLASS, type RevisionSeries, type Telemetry } from "./telemetry.js";
import type { Upstream } from "./upstreams.js";

/** Methods a retry cannot make happen twice (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"]);

/** Errors raised before the request reached the replica: retrying is always safe. */
const NOT_SENT = new Set([
  "ECONNREFUSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "ENOTFOUND",
  "UND_ERR_CLOSED",
  "UND_ERR_DESTROYED",
]);

/** Connection lost mid-exchange: the replica may have seen the request, so only idempotent ones retry. */
const CONNECTION_LOST = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "ETIMEDOUT"]);

/** Class recorded for a request the client gave up on, as nginx's 499. */
const CLIENT_GONE_CLASS = 2;

const EXCHANGE = Symbol("sluice.exchange");
type ResponseWithExchange = ServerResponse & { [EXCHANGE]?: Exchange };

/** One shared listener instead of a closure per request: the response carries its exchange. */
function onResponseClose(this: ServerResponse): void {
  (this as ResponseWithExchange)[EXCHANGE]?.clientClosed();
}

/** What every exchange needs from the router. */
export interface ProxyContext {
  telemetry: Telemetry;
  log(message: string, fields?: Record<string, unknown>): void;
}

/** True when the request carries a body (Content-Length above zero, or any Transfer-Encoding). */
export function hasBody(req: IncomingMessage): boolean {
  const te = req.headers["transfer-encoding"];
  if (te !== undefined) return true;
  const len = req.headers["content-length"];
  return len !== undefined && len !== "0";
}

/**
 * One client request on its way to a revision: streams the request body up and the response down,
 * retries once on another endpoint when the connection failed before any response (and the retry
 * cannot repeat a side effect), and records the outcome in telemetry exactly once.
 */
export class Exchange implements Dispatcher.DispatchHandler {
  private readonly start = performance.now();
  private upstream: Upstream | undefined;
  private abort: ((err?: Error) => void) | undefined;
  private resume: (() => void) | undefined;
  private status = 0;
  private responded = false;
  private done = false;
  private retried = false;
  private teeStarted = false;
  private readonly body: Readable | null;
  /** Where the outcome is recorded: the revision's users' series unless the router says it is generated load. */
  series: RevisionSeries;

  /**
   * @param setCookie a sticky-session assignment to add to the response
   * @param onBody for a mirrored request, receives the whole body once it has streamed upstream
   *   (undefined if it outgrew `bodyLimit` bytes); the body is then teed as it streams
   */
  constructor(
    private readonly ctx: ProxyContext,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly backend: Backend,
    private readonly headers: string[],
    private readonly setCookie: string | undefined,
    onBody?: { limit: number; done: (body: Buffer | undefined) => void },
  ) {
    this.series = backend.series;
    if (!hasBody(req)) this.body = null;
    else if (onBody) this.body = Readable.from(this.tee(onBody.limit, onBody.done), { objectMode: false });
    else this.body = req;
    (res as ResponseWithExchange)[EXCHANGE] = this;
    res.once("close", onResponseClose);
  }

  /** Sends the request to an endpoint of the revision, or answers 503 when it has none. */
  send(avoid?: Upstream): void {
    const u = pickUpstream(this.backend, avoid);
    if (!u) {
      // A revision with no ready replica never saw the request, so it is not held against the
      // revision's success rate (a preview probed before it is ready would otherwise fail its
      // analysis). A retry that finds nobody left does count: the revision lost the request.
      if (avoid === undefined) this.done = true;
      this.respondError(503, "no endpoint is ready for this revision", ERROR_CLASS);
      return;
    }
    this.upstream = u;
    u.begin();
    try {
      u.pool.dispatch(
        {
          path: this.req.url ?? "/",
          method: (this.req.method ?? "GET") as Dispatcher.HttpMethod,
          headers: this.headers,
          body: this.body,
        },
        this,
      );
    } catch (err) {
      // undici validates some requests synchronously (e.g. a header it refuses to send).
      this.onError(err as Error);
    }
  }

  // The handler methods below are undici's original interface (marked deprecated in v7, yet still
  // what its core calls; the newer onResponseStart family is adapted onto it). Unlike the newer one it
  // hands over the raw header list instead of parsing it into an object, which is cheaper when every
  // response is forwarded as-is. undici 8 needs Node 22, so v7 is what this runs on.

  onConnect(abort: (err?: Error) => void): void {
    this.abort = abort;
    if (this.done) abort(new Error("client closed the connection"));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (statusCode < 200 || this.done) return true;
    this.responded = true;
    this.status = statusCode;
    this.resume = resume;
    const u = this.upstream!;
    if (u.downUntil !== 0) u.downUntil = 0;
    const headers = clientResponseHeaders(rawHeaders, this.backend.revision, this.setCookie);
    if (statusText) this.res.writeHead(statusCode, statusText, headers);
    else this.res.writeHead(statusCode, headers);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.done) return true;
    if (this.res.write(chunk)) return true;
    this.res.once("drain", this.resume!);
    return false;
  }

  onComplete(): void {
    if (this.done) return;
    this.finish(classOf(this.status));
    this.res.end();
  }

  onError(err: Error): void {
    if (this.done) return;
    const u = this.upstream!;
    const code = (err as NodeJS.ErrnoException).code ?? "";
    const lost = NOT_SENT.has(code) || CONNECTION_LOST.has(code);
    if (lost) eject(u);
    if (!this.responded && this.canRetry(code)) {
      this.retried = true;
      u.end();
      this.upstream = undefined;
      this.send(u);
      return;
    }
    if (this.responded) {
      // Headers are out: the only honest signal left is a broken connection.
      this.finish(ERROR_CLASS);
      this.res.destroy(err);
      return;
    }
    const timeout = code === "UND_ERR_HEADERS_TIMEOUT";
    this.ctx.log("upstream request failed", {
      endpoint: u.endpoint,
      revision: this.backend.revision,
      code,
      error: err.message,
    });
    this.respondError(
      timeout ? 504 : 502,
      timeout ? "the revision did not answer in time" : "the revision could not be reached",
      ERROR_CLASS,
    );
  }

  private canRetry(code: string): boolean {
    if (this.retried) return false;
    const bodyUntouched = this.body === null || (this.body === this.req ? !this.req.readableDidRead : !this.teeStarted);
    if (!bodyUntouched) return false;
    return NOT_SENT.has(code) || (CONNECTION_LOST.has(code) && IDEMPOTENT.has(this.req.method ?? "GET"));
  }

  /** The client connection closed; unless the response had finished, the client gave up. */
  clientClosed(): void {
    if (this.done) return;
    // Closed before the response finished: the client gave up (or its connection broke).
    this.finish(CLIENT_GONE_CLASS);
    this.abort?.(new Error("client closed the connection"));
  }

  private respondError(status: number, message: string, cls: number): void {
    this.finish(cls);
    if (!this.res.headersSent) {
      const body = JSON.stringify({ error: message, revision: this.backend.revision });
      this.res.writeHead(status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        "x-sluice-revision": this.backend.revision,
      });
      this.res.end(body);
    } else this.res.destroy();
  }

  private finish(cls: number): void {
    if (this.done) return;
    this.done = true;
    if (this.upstream) {
      this.upstream.end();
      this.upstream = undefined;
    }
    this.ctx.telemetry.record(this.series, cls, performance.now() - this.start);
  }

  private async *tee(limit: number, done: (body: Buffer | undefined) => void): AsyncGenerator<Buffer> {
    this.teeStarted = true;
    const chunks: Buffer[] = [];
    let size = 0;
    let keep = true;
    for await (const chunk of this.req as AsyncIterable<Buffer>) {
      if (keep) {
        size += chunk.length;
        if (size > limit) {
          keep = false;
          chunks.length = 0;
        } else chunks.push(chunk);
      }
      yield chunk;
    }
    done(keep ? Buffer.concat(chunks, size) : undefined);
  }
}
