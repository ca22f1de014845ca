import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { ApiError, toErrorResponse } from "./errors.js";

/**
 * Requires `Authorization: Bearer <token>`. A missing or wrong token gets 401 and the request goes
 * no further, so it has no side effect. Both sides are hashed first so the comparison takes the same
 * time whatever the length or content of what was sent.
 */
export function bearerAuth(token: string): MiddlewareHandler {
  const expected = digest(token);
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1] ?? ""), expected)) {
      const message = match
        ? "wrong API token; use the token in the state directory's api-token file"
        : "missing API token; send Authorization: Bearer <token> (the token is in the state directory's api-token file)";
      const { status, body } = toErrorResponse(new ApiError("Unauthorized", message));
      c.header("WWW-Authenticate", 'Bearer realm="sluice"');
      return c.json(body, status);
    }
    await next();
  };
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}
