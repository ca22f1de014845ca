import { Agent, type Dispatcher, request } from "undici";

/** A response body larger than this is refused rather than buffered: no sane metric needs it. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** What one HTTP call from a provider needs. */
export interface HttpCall {
  url: string;
  method: "GET" | "POST" | "PUT";
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Skip TLS certificate verification (self-signed endpoints). */
  insecure: boolean;
  signal?: AbortSignal;
}

/** A response that arrived in full, whatever its status. */
export interface HttpResponse {
  status: number;
  contentType: string;
  text: string;
}

/** Why a call produced no response, as a short phrase ("refused the connection", "timed out after 2s"). */
export interface HttpFailure {
  failure: string;
  /** A hint for the user, phrased as what to do. */
  hint: string;
}

let insecureAgent: Agent | undefined;

// One shared agent keeps connections alive across measurements; created only when asked for.
function dispatcherFor(insecure: boolean): Dispatcher | undefined {
  if (!insecure) return undefined;
  insecureAgent ??= new Agent({ connect: { rejectUnauthorized: false } });
  return insecureAgent;
}

function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; depth < 5 && cur !== null && typeof cur === "object"; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
    cur = (cur as { cause?: unknown }).cause;
  }
  return codes;
}

function firstLine(text: string): string {
  return (text.split("\n").find((l) => l.trim() !== "") ?? "").trim();
}

/** Turns a thrown network error into a phrase and a hint. Pure, so its wording is unit-tested. */
export function describeNetworkError(err: unknown): HttpFailure {
  const codes = errorCodes(err);
  const has = (...c: string[]) => codes.some((x) => c.includes(x));
  if (has("ECONNREFUSED"))
    return { failure: "refused the connection", hint: "check that it is running and the address is right" };
  if (has("ENOTFOUND", "EAI_AGAIN"))
    return { failure: "has a host name that does not resolve", hint: "check the address" };
  if (has("ECONNRESET", "UND_ERR_SOCKET", "EPIPE"))
    return { failure: "closed the connection before answering", hint: "check its logs" };
  if (has("EHOSTUNREACH", "ENETUNREACH"))
    return { failure: "is unreachable", hint: "check the address and the network" };
  if (
    codes.some((c) => c.startsWith("ERR_TLS") || c.includes("CERT") || c === "DEPTH_ZERO_SELF_SIGNED_CERT") ||
    /certificate/i.test(String((err as Error)?.message))
  )
    return {
      failure: `failed TLS verification (${codes[0] ?? "certificate error"})`,
      hint: "fix the certificate, or set insecure: true if it is self-signed on purpose",
    };
  const message = err instanceof Error ? firstLine(err.message) : firstLine(String(err));
  return {
    failure: `could not be reached (${[codes[0], message].filter(Boolean).join(": ")})`,
    hint: "check the address",
  };
}

async function readCapped(body: AsyncIterable<Uint8Array>): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Seconds as users read them in messages: "2s", "0.3s". */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}

/**
 * Makes one HTTP call and never throws: a network failure, a timeout, a cancellation or an
 * oversized body comes back as an {@link HttpFailure}.
 */
export async function httpCall(call: HttpCall): Promise<HttpResponse | HttpFailure> {
  const timeout = AbortSignal.timeout(call.timeoutMs);
  const signal = call.signal ? AbortSignal.any([timeout, call.signal]) : timeout;
  try {
    const dispatcher = dispatcherFor(call.insecure);
    const res = await request(call.url, {
      method: call.method,
      headers: call.headers,
      ...(call.body === undefined ? {} : { body: call.body }),
      signal,
      ...(dispatcher ? { dispatcher } : {}),
    });
    const text = await readCapped(res.body);
    if (text === undefined) {
      res.body.destroy();
      return {
        failure: `answered with a body over ${MAX_BODY_BYTES / 1024 / 1024} MiB`,
        hint: "narrow the query so it returns less data",
      };
    }
    const ct = res.headers["content-type"];
    return { status: res.statusCode, contentType: (Array.isArray(ct) ? ct[0] : ct) ?? "", text };
  } catch (err) {
    // Check our own signals first: undici reports an abort with whatever reason the signal carried.
    if (timeout.aborted)
      return {
        failure: `timed out after ${formatSeconds(call.timeoutMs)}`,
        hint: "check that it is healthy, or raise the timeout",
      };
    if (call.signal?.aborted)
      return {
        failure: "did not answer before the measurement was cancelled",
        hint: "nothing to do, the analysis run stopped",
      };
    return describeNetworkError(err);
  }
}

/** Narrows {@link httpCall}'s result. */
export function isHttpFailure(r: HttpResponse | HttpFailure): r is HttpFailure {
  return "failure" in r;
}

/** The `Authorization` value for HTTP basic auth. */
export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

/** A response body shortened to one line for an error message. */
export function bodySnippet(text: string, max = 200): string {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max)}…` : one;
}
