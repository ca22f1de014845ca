import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createApi } from "./app.js";
import { MAX_SIGN_IN_TOKEN_LENGTH, SESSION_COOKIE, SESSION_TTL_SECONDS, SessionSealer } from "./session.js";
import { FakeControlPlane, rolloutManifest } from "./testing.js";

const TOKEN = "a".repeat(64);
const HOST = "127.0.0.1:9999";
const ORIGIN = `http://${HOST}`;

/** A controller API with a fake control plane and a fake bundle, and a browser-like cookie jar. */
function setup() {
  const control = new FakeControlPlane();
  const app = createApi({ control, token: TOKEN, version: "1.2.3" });
  const req = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set("host", HOST);
    return app.request(`${ORIGIN}${path}`, { ...init, headers });
  };
  const signIn = async (token = TOKEN) => {
    const res = await req("/dashboard/session", {
      method: "POST",
      headers: { "content-type": "application/json", "x-sluice-dashboard": "1", origin: ORIGIN },
      body: JSON.stringify({ token }),
    });
    const cookie = /sluice_session=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
    return { res, cookie };
  };
  return { control, req, signIn };
}

describe("SessionSealer", () => {
  const now = new Date("2026-12-04T12:00:00Z");
  it("opens what it sealed until the session expires", () => {
    const s = new SessionSealer(TOKEN);
    const v = s.seal("sluice_abc", now);
    expect(s.open(v, now)).toBe("sluice_abc");
    expect(s.open(v, new Date(now.getTime() + (SESSION_TTL_SECONDS - 1) * 1000))).toBe("sluice_abc");
    expect(s.open(v, new Date(now.getTime() + SESSION_TTL_SECONDS * 1000))).toBeUndefined();
  });

  it("opens nothing sealed with another controller's key, nor any altered or made-up value", () => {
    const s = new SessionSealer(TOKEN);
    const v = s.seal("sluice_abc", now);
    expect(new SessionSealer("b".repeat(64)).open(v, now)).toBeUndefined();
    // The last character carries spare bits a lenient decoder ignores: a variant is still refused.
    expect(s.open(`${v.slice(0, -1)}${v.at(-1) === "A" ? "B" : "A"}`, now)).toBeUndefined();
    expect(s.open(`${v}=`, now)).toBeUndefined();
    fc.assert(
      fc.property(fc.nat({ max: v.length - 1 }), fc.string({ maxLength: 3000 }), (i, junk) => {
        const flipped = v.slice(0, i) + (v[i] === "A" ? "B" : "A") + v.slice(i + 1);
        expect(s.open(flipped, now)).toBeUndefined();
        expect(s.open(junk, now)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });
});

describe("dashboard sign-in", () => {
  it("sets an HttpOnly SameSite=Strict cookie that then authenticates API reads", async () => {
    const { req, signIn } = setup();
    const { res, cookie } = await signIn();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: "local-admin", role: "admin" });
    const set = res.headers.get("set-cookie") ?? "";
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).toMatch(/Path=\//);
    expect(cookie).toBeDefined();
    expect(set).not.toContain(TOKEN);
    const who = await req("/api/v1/whoami", { headers: { cookie: `${SESSION_COOKIE}=${cookie}` } });
    expect(who.status).toBe(200);
    expect(await who.json()).toEqual({ name: "local-admin", role: "admin" });
  });

  it("marks the cookie Secure behind a TLS-terminating proxy", async () => {
    const { req } = setup();
    const res = await req("/dashboard/session", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-sluice-dashboard": "1",
        origin: ORIGIN,
        "x-forwarded-proto": "https",
      },
      body: JSON.stringify({ token: TOKEN }),
    });
    expect(res.headers.get("set-cookie")).toMatch(/Secure/);
  });

  it("refuses a wrong token with 401 and sets no cookie", async () => {
    const { signIn } = setup();
    const { res, cookie } = await signIn("nope");
    expect(res.status).toBe(401);
    expect(cookie).toBeUndefined();
  });

  it("refuses a cookie-authenticated change without the dashboard header or from another origin", async () => {
    const { control, req, signIn } = setup();
    await control.apply([rolloutManifest("web")]);
    const before = control.mutations;
    const { cookie } = await signIn();
    const headers = { cookie: `${SESSION_COOKIE}=${cookie}`, "content-type": "application/json" };
    const noHeader = await req("/api/v1/rollouts/web/abort", { method: "POST", headers, body: "" });
    expect(noHeader.status).toBe(403);
    expect(((await noHeader.json()) as { error: { message: string } }).error.message).toMatch(/x-sluice-dashboard/);
    const crossSite = await req("/api/v1/rollouts/web/abort", {
      method: "POST",
      headers: { ...headers, "x-sluice-dashboard": "1", origin: "https://evil.example" },
      body: "",
    });
    expect(crossSite.status).toBe(403);
    expect(control.mutations).toBe(before);
    const same = await req("/api/v1/rollouts/web/abort", {
      method: "POST",
      headers: { ...headers, "x-sluice-dashboard": "1", origin: ORIGIN },
      body: "",
    });
    expect(same.status).toBe(200);
    expect(control.actors.at(-1)).toBe("local-admin");
  });

  it("refuses sign-in from another origin (no login CSRF)", async () => {
    const { req } = setup();
    const res = await req("/dashboard/session", {
      method: "POST",
      headers: { "content-type": "application/json", "x-sluice-dashboard": "1", origin: "https://evil.example" },
      body: JSON.stringify({ token: TOKEN }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("answers a one-line 400 naming the field for any body that is not a bounded token", async () => {
    const { req } = setup();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.json(),
          fc
            .record({
              token: fc.oneof(
                fc.integer(),
                fc.constant(""),
                fc.string({ minLength: MAX_SIGN_IN_TOKEN_LENGTH + 1, maxLength: MAX_SIGN_IN_TOKEN_LENGTH + 40 }),
              ),
            })
            .map((o) => JSON.stringify(o)),
        ),
        async (body) => {
          const res = await req("/dashboard/session", {
            method: "POST",
            headers: { "content-type": "application/json", "x-sluice-dashboard": "1", origin: ORIGIN },
            body,
          });
          expect([400, 401, 413]).toContain(res.status);
          expect(res.headers.get("set-cookie")).toBeNull();
          const { error } = (await res.json()) as { error: { message: string } };
          expect(error.message).not.toContain("\n");
        },
      ),
      { numRuns: 60 },
    );
  });

  it("signs out by clearing the cookie", async () => {
    const { req } = setup();
    const res = await req("/dashboard/session", {
      method: "DELETE",
      headers: { "x-sluice-dashboard": "1", origin: ORIGIN },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toMatch(/sluice_session=;.*Max-Age=0/);
  });
});
