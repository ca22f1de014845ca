import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { decodeManifest, InputRefusedError, jsonTooDeepOffset, TOO_DEEP } from "../model/input-limits.js";
import { MAX_DOCUMENT_BYTES } from "../model/limits.js";
import { ApiError } from "./errors.js";

/**
 * YAML bodies are held to less than JSON ones: the YAML parser takes about 1.5 s per MiB on a busy
 * machine, all of it on the controller's event loop, while JSON.parse takes milliseconds.
 */
export const MAX_YAML_BODY_BYTES = 256 * 1024;

function tooLarge(limit: number): ApiError {
  const size = limit >= 1024 * 1024 ? `${limit / 1024 / 1024} MiB` : `${limit / 1024} KiB`;
  return new ApiError("TooLarge", `the request body is larger than ${size}; apply fewer resources per request`);
}

/** Middleware for /apply: refuses a body over {@link MAX_DOCUMENT_BYTES} (413) before it is read in full. */
export const limitApplyBody = bodyLimit({
  maxSize: MAX_DOCUMENT_BYTES,
  onError: () => {
    throw tooLarge(MAX_DOCUMENT_BYTES);
  },
});

/** The body as UTF-8 text: 413 past `limit` bytes, 400 when it is not UTF-8 (never silently replaced). */
export async function readTextBody(c: Context, limit: number): Promise<string> {
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.byteLength > limit) throw tooLarge(limit);
  try {
    return decodeManifest(bytes);
  } catch (err) {
    if (err instanceof InputRefusedError) throw new ApiError("Invalid", `the request body ${err.message}`);
    throw err;
  }
}

/** 400 for JSON nested past the model's depth limit, found by a linear scan before anything parses it. */
export function refuseDeepJson(text: string): void {
  if (jsonTooDeepOffset(text) !== undefined) throw new ApiError("Invalid", `the request body is ${TOO_DEEP}`);
}
