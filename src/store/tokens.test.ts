import { describe, expect, it } from "vitest";
import { fakeClock, memoryDb } from "./test-db.js";
import { TOKEN_PREFIX, TokenTable, tokenDigest } from "./tokens.js";

function table() {
  const clock = fakeClock();
  const db = memoryDb();
  return { clock, db, tokens: new TokenTable(db, clock.now) };
}

describe("TokenTable", () => {
  it("issues random prefixed base64url tokens of 32 bytes and stores only their SHA-256", () => {
    const { db, tokens } = table();
    const a = tokens.create("ci-bot", "operator", "local-admin");
    const b = tokens.create("dash", "viewer", "local-admin");
    for (const { token } of [a, b]) {
      expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
      expect(Buffer.from(token.slice(TOKEN_PREFIX.length), "base64url")).toHaveLength(32);
    }
    expect(a.token).not.toBe(b.token);
    expect(a.record).toEqual({
      name: "ci-bot",
      role: "operator",
      createdAt: "2025-01-01T00:00:00.000Z",
      createdBy: "local-admin",
    });
    const dump = JSON.stringify(db.prepare("SELECT * FROM tokens").all());
    expect(dump).not.toContain(a.token.slice(TOKEN_PREFIX.length));
    expect(dump).toContain(tokenDigest(a.token));
  });

  it("finds the token a request presented, and nothing for one it never issued", () => {
    const { tokens } = table();
    const { token } = tokens.create("ci-bot", "operator", "local-admin");
    expect(tokens.authenticate(token)?.name).toBe("ci-bot");
    expect(tokens.authenticate(`${token}x`)).toBeUndefined();
    expect(tokens.authenticate(token.slice(0, -1))).toBeUndefined();
    expect(tokens.authenticate("")).toBeUndefined();
  });

  it("notes when a token was last used, at most once a minute", () => {
    const { clock, tokens } = table();
    const { token } = tokens.create("ci-bot", "operator", "local-admin");
    expect(tokens.get("ci-bot")?.lastUsedAt).toBeUndefined();
    tokens.authenticate(token);
    expect(tokens.get("ci-bot")?.lastUsedAt).toBe("2025-01-01T00:00:00.000Z");
    clock.advance(30_000);
    tokens.authenticate(token);
    expect(tokens.get("ci-bot")?.lastUsedAt).toBe("2025-01-01T00:00:00.000Z");
    clock.advance(30_000);
    tokens.authenticate(token);
    expect(tokens.get("ci-bot")?.lastUsedAt).toBe("2025-01-01T00:01:00.000Z");
  });

  it("revokes once, keeping the first time and actor, and keeps the revoked token listed", () => {
    const { clock, tokens } = table();
    const { token } = tokens.create("ci-bot", "operator", "local-admin");
    tokens.create("dash", "viewer", "local-admin");
    clock.advance(1_000);
    expect(tokens.revoke("ci-bot", "alice")).toMatchObject({
      revokedAt: "2025-01-01T00:00:01.000Z",
      revokedBy: "alice",
    });
    clock.advance(1_000);
    expect(tokens.revoke("ci-bot", "bob")).toMatchObject({ revokedAt: "2025-01-01T00:00:01.000Z", revokedBy: "alice" });
    expect(tokens.revoke("ghost", "alice")).toBeUndefined();
    // A revoked token is still recognised, so the API can say it was revoked rather than unknown.
    expect(tokens.authenticate(token)).toMatchObject({ name: "ci-bot", revokedBy: "alice" });
    expect(tokens.list().map((t) => [t.name, t.revokedAt ?? "-"])).toEqual([
      ["ci-bot", "2025-01-01T00:00:01.000Z"],
      ["dash", "-"],
    ]);
  });

  it("refuses a second token with a name already used", () => {
    const { tokens } = table();
    tokens.create("ci-bot", "operator", "local-admin");
    expect(() => tokens.create("ci-bot", "viewer", "local-admin")).toThrow(/UNIQUE/);
  });
});
