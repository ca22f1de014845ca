import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ControlPlane } from "../ports/control-plane.js";
import { authenticate } from "./auth.js";
import { dashboardRoutes } from "./dashboard-routes.js";
import { ApiError, toErrorResponse } from "./errors.js";
import { type TokenStore, tokenResolver } from "./identity.js";
import type { PreviewUrlOf } from "./preview.js";
import { v1Routes } from "./routes.js";
import { SessionSealer, sessionToken } from "./session.js";

/** What the API needs from the rest of the controller. */
export interface ApiDeps {
  control: ControlPlane;
  /**
   * The bootstrap admin token (the state directory's `api-token`): `Authorization: Bearer <token>`
   * with it may call every /api/v1 route, as `adminName`.
   */
  token: string;
  /** Who the bootstrap token is in the record (default `local-admin`). */
  adminName?: string;
  /** Named tokens with roles (the local store's); without them only `token` is accepted. */
  tokens?: TokenStore;
  /** The controller's Prometheus text (prom-client's `registry.metrics()`); without it /metrics is 404. */
  metrics?: () => Promise<string>;
  /** /readyz answers 503 while this returns false. */
  ready?: () => boolean;
  version: string;
  /** Idle time between heartbeat comments on /api/v1/watch (default 15 s). */
  heartbeatMs?: number;
  /** The preview address of a blue-green rollout, when the runtime serves one (local platform). */
  previewUrl?: PreviewUrlOf;
  /** Sees every error answered with 500, for the controller's log. */
  onInternalError?: (err: unknown) => void;
}

/** Largest request body accepted; a manifest bundle is far smaller. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * The HTTP API: JSON resources and rollout actions under /api/v1 (bearer token with a role), a Server-Sent
 * Events stream of changes at /api/v1/watch, and /healthz, /readyz and /metrics without a token
 * for probes and Prometheus.
 */
export function createApi(deps: ApiDeps): Hono {
  const app = new Hono();

  app.get("/healthz", (c) => c.text("ok"));
  app.get("/readyz", (c) => (deps.ready?.() === false ? c.text("not ready", 503) : c.text("ok")));
  app.get("/metrics", async (c) => {
    if (!deps.metrics) throw new ApiError("NotFound", "this controller exports no metrics");
    return c.text(await deps.metrics(), 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
  });

  const resolve = tokenResolver({
    adminToken: deps.token,
    ...(deps.adminName ? { adminName: deps.adminName } : {}),
    ...(deps.tokens ? { tokens: deps.tokens } : {}),
  });
  // The dashboard's session cookie is sealed with a key from the admin token, so it survives restarts.
  const sealer = new SessionSealer(deps.token);
  app.route("/", dashboardRoutes({ resolve, sealer }));
  app.use("/api/v1/*", authenticate(resolve, sessionToken(sealer)));
  app.use(
    "/api/v1/*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError("TooLarge", `the request body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB`);
      },
    }),
  );
  app.route(
    "/api/v1",
    v1Routes({
      control: deps.control,
      version: deps.version,
      watch: { heartbeatMs: deps.heartbeatMs ?? 15_000, maxPending: 10_000 },
      ...(deps.previewUrl ? { previewUrl: deps.previewUrl } : {}),
      ...(deps.tokens ? { tokens: deps.tokens } : {}),
    }),
  );

  app.notFound((c) => {
    const { status, body } = toErrorResponse(new ApiError("NotFound", `no route for ${c.req.method} ${c.req.path}`));
    return c.json(body, status);
  });
  app.onError((err, c) => {
    const { status, body } = toErrorResponse(err);
    if (status === 500) deps.onInternalError?.(err);
    return c.json(body, status);
  });
  return app;
}
