import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { ApiError } from "./errors.js";

/** The dashboard's session cookie. HttpOnly and SameSite=Strict: scripts cannot read it, other sites cannot send it. */
export const SESSION_COOKIE = "sluice_session";

/**
 * The header a cookie-authenticated change must carry. A cross-site form cannot set a custom header,
 * and a cross-site script that tries needs a CORS preflight this API never grants.
 */
export const CSRF_HEADER = "x-sluice-dashboard";

/** How long a sign-in lasts; the token itself is checked again on every request, so revoking it ends the session at once. */
export const SESSION_TTL_SECONDS = 12 * 3600;

/** Longest token accepted at sign-in (a named token is 50 characters, the api-token file 64). */
export const MAX_SIGN_IN_TOKEN_LENGTH = 512;

/**
 * Seals an API token into a cookie value and opens it again. The key derives from the controller's
 * admin token, which outlives restarts, so a signed-in browser stays signed in across a controller
 * restart; AES-GCM means a forged or altered cookie opens to nothing.
 */
export class SessionSealer {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac("sha256", secret).update("sluice dashboard session v1").digest();
  }

  /** The cookie value for `token`, valid until `now + SESSION_TTL_SECONDS`. */
  seal(token: string, now: Date): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const body = JSON.stringify({ t: token, e: Math.floor(now.getTime() / 1000) + SESSION_TTL_SECONDS });
    const data = Buffer.concat([cipher.update(body, "utf8"), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), data]).toString("base64url");
  }

  /** The token a cookie value holds, or undefined when it is forged, altered, malformed or expired. */
  open(value: string, now: Date): string | undefined {
    if (value.length > 2048) return undefined;
    try {
      const raw = Buffer.from(value, "base64url");
      // The decoder ignores a last character's spare bits and any stray characters, so several
      // strings open to the same bytes; only the one this sealer writes is accepted.
      if (raw.toString("base64url") !== value) return undefined;
      if (raw.length < 29) return undefined;
      const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const body = JSON.parse(
        Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8"),
      ) as {
        t?: unknown;
        e?: unknown;
      };
      if (typeof body.t !== "string" || typeof body.e !== "number") return undefined;
      if (body.e * 1000 <= now.getTime()) return undefined;
      return body.t;
    } catch {
      return undefined;
    }
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Checks that a cookie-authenticated change comes from the dashboard's own pages: it carries
 * {@link CSRF_HEADER}, and its Origin (browsers send one on every POST and DELETE) is this host.
 * @throws ApiError (Forbidden) naming what is missing.
 */
export function checkSameOrigin(c: Context): void {
  if (SAFE_METHODS.has(c.req.method)) return;
  if (c.req.header(CSRF_HEADER) !== "1")
    throw new ApiError(
      "Forbidden",
      `${c.req.method} ${c.req.path} with a session cookie needs the header ${CSRF_HEADER}: 1 (or send Authorization: Bearer instead)`,
    );
  const origin = c.req.header("origin");
  const host = c.req.header("host");
  if (origin !== undefined && (!host || !sameHost(origin, host)))
    throw new ApiError(
      "Forbidden",
      `${c.req.method} ${c.req.path} from origin ${origin.slice(0, 200)} refused: a session cookie only works from the dashboard's own pages`,
    );
}

function sameHost(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * The token a request's session cookie holds, for `authenticate` when no Authorization header is
 * sent. A change (POST, DELETE) made with the cookie must pass {@link checkSameOrigin}.
 */
export function sessionToken(
  sealer: SessionSealer,
  now: () => Date = () => new Date(),
): (c: Context) => string | undefined {
  return (c) => {
    const value = getCookie(c, SESSION_COOKIE);
    if (!value) return undefined;
    const token = sealer.open(value, now());
    if (token === undefined) return undefined;
    checkSameOrigin(c);
    return token;
  };
}

/** Marks the response as never cached: it depends on who is signed in. */
export const noStore: MiddlewareHandler = async (c, next) => {
  await next();
  c.header("Cache-Control", "no-store");
};
