import { Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { type DashboardBundle, dashboardBundle } from "../dashboard/bundle.js";
import { readTextBody } from "./body.js";
import { ApiError } from "./errors.js";
import type { TokenCheck } from "./identity.js";
import {
  checkSameOrigin,
  MAX_SIGN_IN_TOKEN_LENGTH,
  noStore,
  SESSION_COOKIE,
  SESSION_TTL_SECONDS,
  type SessionSealer,
} from "./session.js";

/** The page may load scripts, styles and data from this server only, and no other site may frame it. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * The dashboard: its page at /dashboard, hashed assets (cached for a year) under /dashboard/assets,
 * and sign-in and sign-out at /dashboard/session. Everything it shows it reads from /api/v1 like any
 * other client; the session cookie only stands in for the Authorization header.
 */
export function dashboardRoutes(deps: {
  resolve: (token: string) => TokenCheck;
  sealer: SessionSealer;
  bundle?: () => Promise<DashboardBundle>;
  now?: () => Date;
}): Hono {
  const app = new Hono();
  const bundle = deps.bundle ?? dashboardBundle;
  const now = deps.now ?? (() => new Date());

  app.get("/", (c) => c.redirect("/dashboard/"));
  app.get("/dashboard", (c) => c.redirect("/dashboard/"));
  app.get("/dashboard/", noStore, async (c) => {
    const { html } = await bundle();
    c.header("Content-Security-Policy", CSP);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "no-referrer");
    return c.html(html);
  });
  app.get("/dashboard/assets/:file", async (c) => {
    const asset = (await bundle()).assets.get(c.req.param("file"));
    if (!asset) throw new ApiError("NotFound", `no dashboard asset ${c.req.param("file").slice(0, 100)}`);
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, {
      "Content-Type": asset.type,
      "Cache-Control": "public, max-age=31536000, immutable",
      "X-Content-Type-Options": "nosniff",
    });
  });

  app.post("/dashboard/session", noStore, async (c) => {
    checkSameOrigin(c);
    const text = await readTextBody(c, MAX_SIGN_IN_TOKEN_LENGTH + 64);
    let token: unknown;
    try {
      token = (JSON.parse(text) as { token?: unknown }).token;
    } catch {
      throw new ApiError("Invalid", 'POST /dashboard/session: the body must be {"token": "..."}', { path: "token" });
    }
    if (typeof token !== "string" || token.length === 0 || token.length > MAX_SIGN_IN_TOKEN_LENGTH)
      throw new ApiError("Invalid", `token must be an API token of 1 to ${MAX_SIGN_IN_TOKEN_LENGTH} characters`, {
        path: "token",
      });
    const check = deps.resolve(token.trim());
    if ("refused" in check) throw new ApiError("Unauthorized", check.refused);
    setCookie(c, SESSION_COOKIE, deps.sealer.seal(token.trim(), now()), {
      path: "/",
      httpOnly: true,
      sameSite: "Strict",
      // Behind a TLS-terminating proxy the request arrives as http; the proxy's header says otherwise.
      // Trusting it can only make the cookie stricter.
      secure: new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https",
      maxAge: SESSION_TTL_SECONDS,
    });
    return c.json(check.identity);
  });

  app.delete("/dashboard/session", noStore, (c) => {
    checkSameOrigin(c);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.json({ signedOut: true });
  });
  return app;
}
