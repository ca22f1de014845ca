import { createHash, timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import type { Actor } from "../ports/control-plane.js";
import type { StoredToken } from "../store/tokens.js";
import { isRole, type Role } from "./roles.js";

/** Who sent a request: the name and role of the API token it carried. */
export interface Identity extends Actor {
  role: Role;
}

declare module "hono" {
  /** In every authenticated route, `c.get("identity")` is the caller (set by `authenticate`). */
  interface ContextVariableMap {
    identity?: Identity;
  }
}

/** The caller of an authenticated route. Pass it down as the actor of whatever the request changes. */
export function identityOf(c: Context): Identity {
  const identity = c.get("identity");
  // Only a route mounted outside the auth middleware gets here: a bug, never the caller's fault.
  if (!identity) throw new Error(`${c.req.method} ${c.req.path} is served without authentication`);
  return identity;
}

/** The named tokens an API authenticates against (the local store's token table). */
export interface TokenStore {
  create(name: string, role: Role, createdBy: string): { token: string; record: StoredToken };
  authenticate(token: string): StoredToken | undefined;
  get(name: string): StoredToken | undefined;
  list(): StoredToken[];
  revoke(name: string, revokedBy: string): StoredToken | undefined;
}

/** The name of the state directory's `api-token` when it authenticates a request. */
export const LOCAL_ADMIN = "local-admin";

/** Who a presented token belongs to, or why it is refused (one line, for the 401 answer). */
export type TokenCheck = { identity: Identity } | { refused: string };

/**
 * Resolves a presented token: the bootstrap token (the `api-token` file) is an admin named
 * `adminName`; any other is looked up among the named tokens, when there are any.
 */
export function tokenResolver(opts: {
  adminToken: string;
  adminName?: string;
  tokens?: TokenStore;
}): (token: string) => TokenCheck {
  const adminDigest = digest(opts.adminToken);
  const admin: Identity = { name: opts.adminName ?? LOCAL_ADMIN, role: "admin" };
  return (token) => {
    // Hashing first makes the comparison take the same time whatever the length of what was sent.
    if (timingSafeEqual(digest(token), adminDigest)) return { identity: admin };
    const stored = opts.tokens?.authenticate(token);
    if (!stored)
      return {
        refused:
          "wrong API token; use the token in the state directory's api-token file or one made by `sluice token create`",
      };
    if (stored.revokedAt)
      return {
        refused: `API token "${stored.name}" was revoked at ${stored.revokedAt}${stored.revokedBy ? ` by "${stored.revokedBy}"` : ""}; ask an admin for a new one`,
      };
    if (!isRole(stored.role))
      return {
        refused: `API token "${stored.name}" has role "${stored.role}", which this Sluice does not know; ask an admin for a new token`,
      };
    return { identity: { name: stored.name, role: stored.role } };
  };
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}
