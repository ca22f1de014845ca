import { Hono } from "hono";
import { needs } from "./auth.js";
import { ApiError } from "./errors.js";
import { identityOf, LOCAL_ADMIN, type TokenStore } from "./identity.js";
import { isRole, ROLES } from "./roles.js";

/** Token names: short, and safe in a shell, a URL and a log line. */
const NAME_RE = /^[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?$/;

/**
 * /api/v1/tokens, for admins: create a named token with a role (its value is in this answer only),
 * list them (never their values), revoke one. Revoked tokens stay listed: the record names them.
 */
export function tokenRoutes(tokens: TokenStore | undefined): Hono {
  const api = new Hono();
  const store = (): TokenStore => {
    if (!tokens)
      throw new ApiError(
        "NotFound",
        "this controller keeps no named tokens (on Kubernetes, the API server's users and RBAC decide who may do what)",
      );
    return tokens;
  };

  api.get("/", needs("admin"), (c) => c.json(store().list()));

  api.post("/", needs("admin"), async (c) => {
    const { name, role } = parseCreate(await c.req.json().catch(() => undefined));
    const s = store();
    if (name === LOCAL_ADMIN)
      throw new ApiError("Conflict", `"${LOCAL_ADMIN}" is the state directory's api-token; choose another name`, {
        path: "name",
      });
    const existing = s.get(name);
    if (existing)
      throw new ApiError(
        "Conflict",
        `a token named "${name}" ${existing.revokedAt ? "existed (revoked; the record still names it)" : "exists"}; choose another name`,
        { path: "name" },
      );
    const { token, record } = s.create(name, role, identityOf(c).name);
    return c.json({ ...record, token }, 201);
  });

  api.delete("/:name", needs("admin"), (c) => {
    const name = c.req.param("name");
    if (name === LOCAL_ADMIN)
      throw new ApiError(
        "Conflict",
        `"${LOCAL_ADMIN}" is the state directory's api-token; to replace it, stop the controller, delete the file and start it again`,
      );
    const revoked = store().revoke(name, identityOf(c).name);
    if (!revoked) throw new ApiError("NotFound", `token "${name}" not found; \`sluice token list\` shows them`);
    return c.json(revoked);
  });

  return api;
}

function parseCreate(body: unknown): { name: string; role: (typeof ROLES)[number] } {
  if (typeof body !== "object" || body === null)
    throw new ApiError("Invalid", 'the body must be JSON: {"name": "ci-bot", "role": "operator"}');
  const { name, role } = body as { name?: unknown; role?: unknown };
  if (typeof name !== "string" || !NAME_RE.test(name))
    throw new ApiError(
      "Invalid",
      "must be 1 to 63 lowercase letters, digits, '.', '_' or '-', starting and ending with a letter or digit",
      { path: "name" },
    );
  if (!isRole(role)) throw new ApiError("Invalid", `must be one of ${ROLES.join(", ")}`, { path: "role" });
  return { name, role };
}
