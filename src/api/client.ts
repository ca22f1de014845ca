import type { ChangeNotice, ResourceKind } from "../ports/control-plane.js";
import type { ApiErrorBody, ApiErrorCode, ApiErrorDetail } from "./errors.js";
import { SseParser } from "./sse.js";

/** The API's error codes, plus `Unavailable` when the controller cannot be reached at all. */
export type ApiClientErrorCode = ApiErrorCode | "Unavailable";

/** A request that failed: the API's error code and message, and the HTTP status (0 when there was no answer). */
/** The stream messages that carry a change; others (comments, heartbeats) are not changes. */
const WATCHED = new Set(["status", "deleted", "event", "record"]);

export class ApiClientError extends Error {
  override readonly name = "ApiClientError";
  constructor(
    readonly code: ApiClientErrorCode,
    message: string,
    readonly status: number,
    readonly extra: { path?: string; details?: ApiErrorDetail[]; cause?: unknown } = {},
  ) {
    super(message, { cause: extra.cause });
  }
}

/** Options of {@link ApiClient.watch}. */
export interface WatchOptions {
  /** Only changes about objects of this name (events included). */
  name?: string;
  kind?: ResourceKind;
  /** Called once the server has subscribed: every change after this moment will be delivered. */
  onOpen?: () => void;
  /**
   * The id of the last event this client saw (sent as `Last-Event-ID`): the server first replays
   * the events after it, so a watch resumed after a reconnect misses none and repeats none.
   */
  lastEventId?: number;
}

/**
 * Talks to a controller's API. Paths are relative to /api/v1 (`/rollouts/web`). Results are the
 * parsed JSON; failures throw {@link ApiClientError}.
 */
export class ApiClient {
  private readonly base: string;

  /**
   * @param options.fetch replaces the network: the CLI's cluster mode serves the same API in process
   *   (`app.request`), so every command works unchanged against a Kubernetes cluster.
   */
  constructor(
    url: string,
    private readonly token: string,
    private readonly options: { fetch?: (url: string, init: RequestInit) => Promise<Response> } = {},
  ) {
    this.base = `${url.replace(/\/+$/, "")}/api/v1`;
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  post<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.request<T>("POST", path, body);
  }

  delete<T = unknown>(path: string): Promise<T> {
    return this.request<T>("DELETE", path);
  }

  /** A POST whose answer headers matter too (rollout actions report their outcome in one). */
  async postWithHeaders<T = unknown>(path: string, body?: unknown): Promise<{ data: T; headers: Headers }> {
    const res = await this.fetch("POST", path, body);
    if (!res.ok) throw await failure(res, path);
    const text = await res.text();
    return { data: (text === "" ? undefined : JSON.parse(text)) as T, headers: res.headers };
  }

  /**
   * Streams changes to `onChange` until `signal` aborts, then resolves. Rejects with an
   * ApiClientError if the stream cannot be opened or the controller ends it (restart, overflow).
   */
  async watch(onChange: (change: ChangeNotice) => void, signal?: AbortSignal, opts: WatchOptions = {}): Promise<void> {
    if (signal?.aborted) return;
    const query = new URLSearchParams();
    if (opts.name) query.set("name", opts.name);
    if (opts.kind) query.set("kind", opts.kind);
    const qs = query.size > 0 ? `?${query}` : "";
    let res: Response;
    try {
      res = await this.fetch("GET", `/watch${qs}`, undefined, signal, "text/event-stream", {
        ...(opts.lastEventId !== undefined ? { "last-event-id": String(opts.lastEventId) } : {}),
      });
    } catch (err) {
      if (signal?.aborted) return;
      throw err;
    }
    if (!res.ok || !res.body) throw await failure(res, `/watch${qs}`);
    const parser = new SseParser();
    const decoder = new TextDecoder();
    let opened = false;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        const text = decoder.decode(chunk, { stream: true });
        if (!opened && text.length > 0) {
          // The server's first bytes are its ": connected" comment, sent after it subscribed.
          opened = true;
          opts.onOpen?.();
        }
        for (const message of parser.push(text)) {
          if (message.event === "overflow")
            throw new ApiClientError(
              "Unavailable",
              "the controller dropped this watch because it fell behind; watch again",
              200,
            );
          if (WATCHED.has(message.event)) onChange(JSON.parse(message.data) as ChangeNotice);
        }
      }
    } catch (err) {
      if (signal?.aborted) return;
      if (err instanceof ApiClientError) throw err;
      throw new ApiClientError("Unavailable", `the watch stream from ${this.base} broke: ${describe(err)}`, 0, {
        cause: err,
      });
    }
    if (signal?.aborted) return;
    throw new ApiClientError("Unavailable", `the controller at ${this.base} ended the watch stream (did it stop?)`, 0);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.fetch(method, path, body);
    if (!res.ok) throw await failure(res, path);
    const text = await res.text();
    return (text === "" ? undefined : JSON.parse(text)) as T;
  }

  private async fetch(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
    accept = "application/json",
    extraHeaders: Record<string, string> = {},
  ) {
    const headers: Record<string, string> = { ...extraHeaders, authorization: `Bearer ${this.token}`, accept };
    if (body !== undefined) headers["content-type"] = "application/json";
    try {
      return await (this.options.fetch ?? fetch)(`${this.base}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new ApiClientError(
        "Unavailable",
        `cannot reach the Sluice controller at ${this.base} (${describe(err)}); is it running?`,
        0,
        { cause: err },
      );
    }
  }
}

/** The ApiClientError for a non-2xx answer, from the API's error body when it has one. */
async function failure(res: Response, path: string): Promise<ApiClientError> {
  const text = await res.text().catch(() => "");
  try {
    const { error } = JSON.parse(text) as ApiErrorBody;
    if (error && typeof error.code === "string" && typeof error.message === "string")
      return new ApiClientError(error.code, error.message, res.status, {
        ...(error.path !== undefined ? { path: error.path } : {}),
        ...(error.details !== undefined ? { details: error.details } : {}),
      });
  } catch {
    // Not our JSON (a proxy's page, say): fall through to a generic error.
  }
  const code: ApiClientErrorCode =
    res.status === 404
      ? "NotFound"
      : res.status === 401
        ? "Unauthorized"
        : res.status === 403
          ? "Forbidden"
          : "Internal";
  return new ApiClientError(code, `${path}: HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ""}`, res.status);
}

/** The most telling message of a fetch failure (undici hides the socket error in `cause`). */
function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}
