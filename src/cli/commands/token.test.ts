import { describe, expect, it } from "vitest";
import { createApi } from "../../api/app.js";
import { ApiClient } from "../../api/client.js";
import { FakeControlPlane } from "../../api/testing.js";
import { fakeClock, memoryDb } from "../../store/test-db.js";
import { TokenTable } from "../../store/tokens.js";
import type { Output } from "../output.js";
import { renderTokens, tokenCreateCommand, tokenListCommand, tokenRevokeCommand } from "./token.js";

const ADMIN = "a".repeat(64);

function setup() {
  const tokens = new TokenTable(memoryDb(), fakeClock().now);
  const app = createApi({ control: new FakeControlPlane(), token: ADMIN, version: "x", tokens });
  const client = (token: string) =>
    new ApiClient("http://sluice.test", token, { fetch: async (url, init) => app.request(url, init) });
  const lines = { out: [] as string[], err: [] as string[] };
  const out: Output = { log: (t) => lines.out.push(t), error: (t) => lines.err.push(t), isTTY: false };
  return { client, lines, out };
}

describe("sluice token", () => {
  it("create prints the token alone on stdout and the one-time hint on stderr", async () => {
    const { client, lines, out } = setup();
    await tokenCreateCommand(client(ADMIN), "ci-bot", { role: "operator" }, out);
    expect(lines.out).toHaveLength(1);
    expect(lines.out[0]).toMatch(/^sluice_[A-Za-z0-9_-]{43}$/);
    expect(lines.err.join("\n")).toMatch(/token "ci-bot" created with role operator\. Copy it now/);
    expect(lines.err.join("\n")).toContain("SLUICE_TOKEN=<token>");
  });

  it("list shows name, role, creator and revocation, never a token; revoke says so", async () => {
    const { client, lines, out } = setup();
    await tokenCreateCommand(client(ADMIN), "ci-bot", { role: "operator" }, out);
    const token = lines.out[0] ?? "";
    await tokenRevokeCommand(client(ADMIN), "ci-bot", out);
    expect(lines.out[1]).toMatch(/^token "ci-bot" revoked \(at 2025-01-01T00:00:00.000Z\)$/);
    await tokenListCommand(client(ADMIN), {}, out);
    const table = lines.out[2] ?? "";
    expect(table.split("\n")[0]).toMatch(/^NAME\s+ROLE\s+CREATED\s+CREATED BY\s+LAST USED\s+REVOKED$/);
    expect(table).toMatch(/ci-bot\s+operator\s+\S+\s+local-admin\s+never\s+\S+ ago by local-admin/);
    expect(table).not.toContain(token.slice(7, 20));
  });

  it("fails with the API's 403 for a token that is not an admin's", async () => {
    const { client, lines, out } = setup();
    await tokenCreateCommand(client(ADMIN), "dash", { role: "viewer" }, out);
    const viewer = lines.out[0] ?? "";
    await expect(tokenListCommand(client(viewer), {}, out)).rejects.toMatchObject({
      code: "Forbidden",
      status: 403,
      message: expect.stringMatching(/^API token "dash" has role viewer; GET \/api\/v1\/tokens needs role admin/),
    });
  });
});

describe("renderTokens", () => {
  it("says how to make one when there is none", () => {
    expect(renderTokens([], new Date())).toMatch(/^no named tokens .*sluice token create NAME --role ROLE/);
  });
});
