import { describe, expect, it } from "vitest";
import { fakeClock, memoryDb } from "../store/test-db.js";
import { TokenTable } from "../store/tokens.js";
import { createApi } from "./app.js";
import { isRoleGuard } from "./auth.js";
import type { ApiErrorBody } from "./errors.js";
import { FakeControlPlane, rolloutManifest } from "./testing.js";

const ADMIN = "a".repeat(64);

function setup(withTokens = true) {
  const control = new FakeControlPlane();
  const tokens = new TokenTable(memoryDb(), fakeClock().now);
  const app = createApi({ control, token: ADMIN, version: "x", ...(withTokens ? { tokens } : {}) });
  const call = (token: string, method: string, path: string, body?: unknown) =>
    app.request(`/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  const create = async (name: string, role: string) => {
    const res = await call(ADMIN, "POST", "/tokens", { name, role });
    expect(res.status).toBe(201);
    return ((await res.json()) as { token: string }).token;
  };
  return { control, app, call, create };
}

const errorOf = async (res: Response) => ((await res.json()) as ApiErrorBody).error;

describe("/api/v1/tokens and /whoami", () => {
  it("creates a token shown once, lists tokens without their values, and says who a token is", async () => {
    const { call, create } = setup();
    const token = await create("ci-bot", "operator");
    expect(token).toMatch(/^sluice_[A-Za-z0-9_-]{43}$/);
    const listed = await (await call(ADMIN, "GET", "/tokens")).text();
    expect(JSON.parse(listed)).toEqual([
      { name: "ci-bot", role: "operator", createdAt: expect.any(String), createdBy: "local-admin" },
    ]);
    expect(listed).not.toContain(token.slice("sluice_".length));
    expect(await (await call(token, "GET", "/whoami")).json()).toEqual({ name: "ci-bot", role: "operator" });
    expect(await (await call(ADMIN, "GET", "/whoami")).json()).toEqual({ name: "local-admin", role: "admin" });
  });

  it("refuses bad names and roles (400), a name used before or the local-admin's (409)", async () => {
    const { call, create } = setup();
    const bad = async (body: unknown) => {
      const res = await call(ADMIN, "POST", "/tokens", body);
      return [res.status, (await errorOf(res)).path];
    };
    expect(await bad({ name: "Has Space", role: "viewer" })).toEqual([400, "name"]);
    expect(await bad({ name: "-x", role: "viewer" })).toEqual([400, "name"]);
    expect(await bad({ name: "ok", role: "root" })).toEqual([400, "role"]);
    expect(await bad({ name: "local-admin", role: "viewer" })).toEqual([409, "name"]);
    await create("ci-bot", "viewer");
    await call(ADMIN, "DELETE", "/tokens/ci-bot");
    expect(await bad({ name: "ci-bot", role: "viewer" })).toEqual([409, "name"]);
    expect((await call(ADMIN, "POST", "/tokens")).status).toBe(400);
  });

  it("revokes a token: 401 at once, with a message that says it was revoked", async () => {
    const { call, create } = setup();
    const token = await create("ci-bot", "operator");
    expect((await call(token, "GET", "/rollouts")).status).toBe(200);
    const revoked = await call(ADMIN, "DELETE", "/tokens/ci-bot");
    expect(await revoked.json()).toMatchObject({ name: "ci-bot", revokedBy: "local-admin" });
    const after = await call(token, "GET", "/rollouts");
    expect(after.status).toBe(401);
    expect((await errorOf(after)).message).toMatch(/^API token "ci-bot" was revoked at .* by "local-admin"/);
    expect((await call(ADMIN, "DELETE", "/tokens/ghost")).status).toBe(404);
    expect((await call(ADMIN, "DELETE", "/tokens/local-admin")).status).toBe(409);
  });

  it("answers 404 for /tokens where the controller keeps no named tokens", async () => {
    const { call } = setup(false);
    const res = await call(ADMIN, "GET", "/tokens");
    expect(res.status).toBe(404);
    expect((await errorOf(res)).message).toMatch(/keeps no named tokens/);
  });
});

describe("roles on every route", () => {
  it("lets a viewer read and refuses it every change with 403, changing nothing", async () => {
    const { control, call, create } = setup();
    control.resources.set("Rollout/web", (await import("../model/load.js")).parseResource(rolloutManifest("web")));
    const viewer = await create("dash", "viewer");
    for (const path of ["/rollouts", "/rollouts/web", "/events", "/version", "/whoami"])
      expect([path, (await call(viewer, "GET", path)).status]).toEqual([path, 200]);
    const refused: [string, string, unknown?][] = [
      ["POST", "/rollouts/web/abort"],
      ["POST", "/rollouts/web/undo", {}],
      ["POST", "/apply", { resources: [rolloutManifest("api")] }],
      ["DELETE", "/rollouts/web"],
      ["GET", "/tokens"],
      ["POST", "/tokens", { name: "x", role: "admin" }],
    ];
    for (const [method, path, body] of refused) {
      const res = await call(viewer, method, path, body);
      expect([method, path, res.status]).toEqual([method, path, 403]);
    }
    const res = await call(viewer, "POST", "/rollouts/web/abort");
    expect((await errorOf(res)).message).toBe(
      'API token "dash" has role viewer; POST /api/v1/rollouts/web/abort needs role operator; use a token with that role (an admin makes one with `sluice token create`)',
    );
    expect(control.mutations).toBe(0);
  });

  it("lets an operator act on rollouts but not apply, delete or manage tokens; passes its name down", async () => {
    const { control, call, create } = setup();
    control.resources.set("Rollout/web", (await import("../model/load.js")).parseResource(rolloutManifest("web")));
    const operator = await create("ci-bot", "operator");
    const approver = await create("lead", "approver");
    expect((await call(operator, "POST", "/rollouts/web/abort")).status).toBe(200);
    expect((await call(approver, "POST", "/rollouts/web/promote")).status).toBe(403);
    expect((await call(operator, "POST", "/apply", { resources: [rolloutManifest("api")] })).status).toBe(403);
    expect((await call(operator, "DELETE", "/rollouts/web")).status).toBe(403);
    expect((await call(operator, "GET", "/tokens")).status).toBe(403);
    expect((await call(ADMIN, "POST", "/apply", { resources: [rolloutManifest("api")] })).status).toBe(200);
    expect((await call(ADMIN, "DELETE", "/rollouts/api")).status).toBe(200);
    expect(control.actors).toEqual(["ci-bot", "local-admin", "local-admin"]);
  });

  it("has a role guard on every /api/v1 route, so none is open to any token by omission", () => {
    const { app } = setup();
    const routes = app.routes.filter((r) => r.method !== "ALL" && r.path.startsWith("/api/v1"));
    expect(routes.length).toBeGreaterThan(8);
    const unguarded = [...new Set(routes.map((r) => `${r.method} ${r.path}`))].filter(
      (key) => !routes.some((r) => `${r.method} ${r.path}` === key && isRoleGuard(r.handler)),
    );
    expect(unguarded).toEqual([]);
  });
});
