import { z } from "zod";
import { Duration } from "./duration.js";
import { MAX_HEADERS, TimeoutSeconds } from "./limits.js";

/*
 * Generated load: requests Sluice sends to a canary revision itself, so a service with almost no
 * user traffic still gives its analysis evidence. Every field is bounded so a manifest can never
 * turn the controller into a flood: the rate, the number of requests in flight, the body and the
 * lifetime (an analysis step's load stops with its analysis at the latest).
 */

/** Highest rate of one load section, requests per second. */
export const MAX_LOAD_RATE = 1000;
/** Most requests in flight at once for one load section. */
export const MAX_LOAD_CONCURRENCY = 256;
/** Largest request body, bytes (UTF-8). */
export const MAX_LOAD_BODY_BYTES = 64 * 1024;
/** Most paths one load section cycles through. */
export const MAX_LOAD_PATHS = 100;
/** Longest path (with its query), characters. */
export const MAX_LOAD_PATH_LENGTH = 2048;
/** Longest header value, characters. */
export const MAX_LOAD_HEADER_VALUE = 8192;

/** Methods a load generator sends. CONNECT and TRACE are not requests to a service. */
export const LOAD_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;
/** Headers the sender sets itself or that would break the connection. */
const RESERVED_HEADERS = new Set(["host", "content-length", "transfer-encoding", "connection", "upgrade", "te"]);

/** Why `name` cannot be a header of generated requests, or undefined when it can. */
export function headerNameProblem(name: string): string | undefined {
  if (!HEADER_NAME.test(name)) return "must be an HTTP header name (letters, digits and !#$%&'*+.^_`|~-)";
  const k = name.toLowerCase();
  if (RESERVED_HEADERS.has(k)) return "is set by Sluice; remove it";
  // The generated-traffic label is added by Sluice with its secret; a copy here would be a spoof.
  if (k === "x-sluice-load") return "is added by Sluice to every generated request; remove it";
  return undefined;
}

/** Header values must be printable: no CR/LF (header injection) or NUL. */
const HeaderValue = z
  .string()
  .max(MAX_LOAD_HEADER_VALUE)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing NUL is the point
  .regex(/^[^\r\n\x00]*$/, "must not contain line breaks or NUL");

const LoadPath = z
  .string()
  .min(1)
  .max(MAX_LOAD_PATH_LENGTH)
  // A path, never a URL: the target is always the canary, chosen by Sluice.
  .regex(
    /^\/([^/\s#][^\s#]*)?$/,
    'must be a path starting with one "/" (no host, spaces or #fragment): the canary is the target',
  );

/**
 * A `load` section: what to send, how fast and for how long. Without `duration` it runs until the
 * analysis it belongs to decides.
 */
export const GeneratedLoad = z
  .strictObject({
    /** Requests per second, open loop (sent on schedule whether or not answers come back). */
    rate: z.number().positive().max(MAX_LOAD_RATE, `must be at most ${MAX_LOAD_RATE} requests per second`),
    /** How long to send; absent: until the analysis ends. */
    duration: Duration.optional(),
    /** Requests in flight at once; a due request past this waits, then is skipped (counted as missed). */
    concurrency: z.number().int().min(1).max(MAX_LOAD_CONCURRENCY).default(10),
    method: z.enum(LOAD_METHODS).default("GET"),
    /** Paths sent in turn. */
    paths: z.array(LoadPath).min(1).max(MAX_LOAD_PATHS).default(["/"]),
    headers: z
      .record(z.string().max(256), HeaderValue)
      .check((ctx) => {
        for (const k of Object.keys(ctx.value)) {
          const problem = headerNameProblem(k);
          if (problem) ctx.issues.push({ code: "custom", input: k, path: [k], message: problem });
        }
      })
      .default({}),
    body: z
      .string()
      .max(MAX_LOAD_BODY_BYTES)
      .refine((b) => Buffer.byteLength(b) <= MAX_LOAD_BODY_BYTES, `must be at most ${MAX_LOAD_BODY_BYTES} bytes`)
      .optional(),
    /** Per-request timeout. */
    timeoutSeconds: TimeoutSeconds().default(10),
  })
  .check((ctx) => {
    const n = Object.keys(ctx.value.headers).length;
    if (n > MAX_HEADERS)
      ctx.issues.push({
        code: "custom",
        input: ctx.value,
        path: ["headers"],
        message: `at most ${MAX_HEADERS} headers`,
      });
    if (ctx.value.body !== undefined && (ctx.value.method === "GET" || ctx.value.method === "HEAD"))
      ctx.issues.push({
        code: "custom",
        input: ctx.value,
        path: ["body"],
        message: `a ${ctx.value.method} request has no body; use method: POST (or PUT, PATCH)`,
      });
  });
export type GeneratedLoad = z.infer<typeof GeneratedLoad>;
