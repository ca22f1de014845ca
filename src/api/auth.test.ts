import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { authenticate, isRoleGuard, needs } from "./auth.js";
import { toErrorResponse } from "./errors.js";
import { identityOf, type TokenCheck } from "./identity.js";

const known: Record<string, TokenCheck> = {
  "admin-token": { identity: { name: "root", role: "admin" } },
  "viewer-token": { identity: { name: "dash", role: "viewer" } },
  "old-token": { refused: 'API token "old" was revoked at 2025-01-01T00:00:00.000Z; ask an admin for a new one' },
};

function app() {
  const api = new Hono();
  const ran: string[] = [];
  api.use(
    "*",
    authenticate((t) => known[t] ?? { refused: "wrong API token" }),
  );
  api.get("/read", needs("viewer"), (c) => {
    ran.push(identityOf(c).name);
    return c.text("in");
  });
  api.post("/admin", needs("admin"), (c) => {
    ran.push(identityOf(c).name);
    return c.text("done");
  });
  api.onError((err, c) => {
    const { status, body } = toErrorResponse(err);
    return c.json(body, status);
  });
  const call = (path: string, authorization?: string, method = "GET") =>
    api.request(path, { method, ...(authorization === undefined ? {} : { headers: { authorization } }) });
  return { ran, call };
}

describe("authenticate", () => {
  it("lets a known token through as its identity, whatever the scheme's case", async () => {
    const { ran, call } = app();
    expect((await call("/read", "Bearer admin-token")).status).toBe(200);
    expect((await call("/read", "bearer viewer-token")).status).toBe(200);
    expect(ran).toEqual(["root", "dash"]);
  });

  it("stops everything else with 401 before the handler, saying why", async () => {
    const { ran, call } = app();
    for (const h of [
      undefined,
      "",
      "Bearer",
      "Bearer admin",
      "Bearer admin-token-x",
      "Basic admin-token",
      "admin-token",
    ])
      expect((await call("/read", h)).status).toBe(401);
    const missing = await call("/read");
    expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="sluice"');
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/^missing API token/);
    const revoked = await call("/admin", "Bearer old-token", "POST");
    expect(revoked.status).toBe(401);
    expect(await revoked.json()).toEqual({
      error: { code: "Unauthorized", message: expect.stringMatching(/^API token "old" was revoked at /) },
    });
    expect(ran).toEqual([]);
  });
});

describe("needs", () => {
  it("answers 403 naming the token, its role and the role needed, and runs nothing", async () => {
    const { ran, call } = app();
    const res = await call("/admin", "Bearer viewer-token", "POST");
    expect(res.status).toBe(403);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("Forbidden");
    expect(error.message).toMatch(/^API token "dash" has role viewer; POST \/admin needs role admin; /);
    expect(error.message).not.toContain("\n");
    expect(ran).toEqual([]);
    expect((await call("/admin", "Bearer admin-token", "POST")).status).toBe(200);
    expect(ran).toEqual(["root"]);
  });

  it("marks its guards, and nothing else, as role guards", () => {
    expect(isRoleGuard(needs("viewer"))).toBe(true);
    expect(isRoleGuard(async () => {})).toBe(false);
    expect(isRoleGuard(undefined)).toBe(false);
  });
});
