import { describe, expect, it } from "vitest";
import { fakeClock, memoryDb } from "../store/test-db.js";
import { TokenTable } from "../store/tokens.js";
import { LOCAL_ADMIN, tokenResolver } from "./identity.js";

const ADMIN = "a".repeat(64);

function setup() {
  const clock = fakeClock();
  const tokens = new TokenTable(memoryDb(), clock.now);
  return { clock, tokens, resolve: tokenResolver({ adminToken: ADMIN, tokens }) };
}

describe("tokenResolver", () => {
  it("takes the api-token file's token as the local-admin, with or without named tokens", () => {
    expect(setup().resolve(ADMIN)).toEqual({ identity: { name: LOCAL_ADMIN, role: "admin" } });
    expect(tokenResolver({ adminToken: ADMIN, adminName: "kube" })(ADMIN)).toEqual({
      identity: { name: "kube", role: "admin" },
    });
  });

  it("takes a named token as its name and role", () => {
    const { tokens, resolve } = setup();
    const { token } = tokens.create("ci-bot", "operator", LOCAL_ADMIN);
    expect(resolve(token)).toEqual({ identity: { name: "ci-bot", role: "operator" } });
  });

  it("refuses an unknown token, and says so differently for a revoked one", () => {
    const { clock, tokens, resolve } = setup();
    const { token } = tokens.create("ci-bot", "operator", LOCAL_ADMIN);
    expect(resolve(`${token}0`)).toEqual({ refused: expect.stringMatching(/^wrong API token; /) });
    expect(resolve(ADMIN.slice(1))).toEqual({ refused: expect.stringMatching(/^wrong API token; /) });
    expect(tokenResolver({ adminToken: ADMIN })(token)).toEqual({ refused: expect.stringMatching(/^wrong API token/) });
    clock.advance(1000);
    tokens.revoke("ci-bot", "alice");
    expect(resolve(token)).toEqual({
      refused: 'API token "ci-bot" was revoked at 2025-01-01T00:00:01.000Z by "alice"; ask an admin for a new one',
    });
  });

  it("refuses a stored token whose role this build does not know, rather than guess its rights", () => {
    const { tokens, resolve } = setup();
    const { token } = tokens.create("future", "release-manager", LOCAL_ADMIN);
    expect(resolve(token)).toEqual({ refused: expect.stringMatching(/has role "release-manager", which this Sluice/) });
  });
});
