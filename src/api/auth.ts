import type { Context, MiddlewareHandler } from "hono";
import { ApiError, toErrorResponse } from "./errors.js";
import type { TokenCheck } from "./identity.js";
import { grants, type Role } from "./roles.js";

/**
 * Requires `Authorization: Bearer <token>` and sets `c.get("identity")` to whom it belongs. A
 * missing, unknown or revoked token gets 401 and the request goes no further, so it has no side effect.
 */
export function authenticate(
  resolve: (token: string) => TokenCheck,
  /** The dashboard's session cookie, read only when no Authorization header is sent (see session.ts). */
  fromSession?: (c: Context) => string | undefined,
): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header("authorization");
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? "");
    const session = header === undefined ? fromSession?.(c) : undefined;
    const check: TokenCheck = match
      ? resolve(match[1] ?? "")
      : session !== undefined
        ? resolve(session)
        : {
            refused:
              "missing API token; send Authorization: Bearer <token> (the token is in the state directory's api-token file)",
          };
    if ("refused" in check) {
      const { status, body } = toErrorResponse(new ApiError("Unauthorized", check.refused));
      c.header("WWW-Authenticate", 'Bearer realm="sluice"');
      return c.json(body, status);
    }
    c.set("identity", check.identity);
    await next();
  };
}

/** Every guard {@link needs} made, so a test can prove no route lacks one. */
const guards = new WeakSet<MiddlewareHandler>();

/**
 * The role a route needs, declared as the first handler of the route. A caller whose token's role
 * does not grant it gets 403 naming the token, its role and the role needed, and nothing runs.
 */
export function needs(role: Role): MiddlewareHandler {
  const guard: MiddlewareHandler = async (c, next) => {
    const identity = c.get("identity");
    if (!identity)
      throw new ApiError(
        "Unauthorized",
        `${c.req.method} ${c.req.path} needs an API token; send Authorization: Bearer`,
      );
    if (!grants(identity.role, role))
      throw new ApiError(
        "Forbidden",
        `API token "${identity.name}" has role ${identity.role}; ${c.req.method} ${c.req.path} needs role ${role}; use a token with that role (an admin makes one with \`sluice token create\`)`,
      );
    await next();
  };
  guards.add(guard as MiddlewareHandler);
  return guard;
}

/** Whether a handler is a role guard made by {@link needs}. */
export function isRoleGuard(handler: unknown): boolean {
  return typeof handler === "function" && guards.has(handler as MiddlewareHandler);
}
