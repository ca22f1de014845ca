import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { bearerAuth } from "./auth.js";

describe("bearerAuth", () => {
  const app = new Hono();
  let ran = 0;
  app.use("*", bearerAuth("secret-token"));
  app.get("/", (c) => {
    ran++;
    return c.text("in");
  });
  const status = async (authorization?: string) =>
    (await app.request("/", authorization === undefined ? {} : { headers: { authorization } })).status;

  it("lets the right token through, whatever the scheme's case", async () => {
    expect(await status("Bearer secret-token")).toBe(200);
    expect(await status("bearer secret-token")).toBe(200);
    expect(ran).toBe(2);
  });

  it("stops everything else before the handler", async () => {
    const before = ran;
    for (const h of [
      undefined,
      "",
      "Bearer",
      "Bearer secret",
      "Bearer secret-token-x",
      "Basic secret-token",
      "secret-token",
    ])
      expect(await status(h)).toBe(401);
    expect(ran).toBe(before);
  });
});
