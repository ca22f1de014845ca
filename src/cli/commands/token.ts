import type { ApiClient } from "../../api/client.js";
import type { StoredToken } from "../../store/tokens.js";
import { age, renderTable } from "../format/table.js";
import { type Format, type Output, printStructured } from "../output.js";

/**
 * `sluice token create NAME --role ROLE`: the token alone on stdout (so `$(sluice token create …)`
 * captures it), and on stderr that it is shown only this once and how to use it.
 */
export async function tokenCreateCommand(
  api: ApiClient,
  name: string,
  opts: { role: string; output?: Format },
  out: Output,
): Promise<void> {
  const created = await api.post<StoredToken & { token: string }>("/tokens", { name, role: opts.role });
  if (printStructured(out, opts.output ?? "table", created)) return;
  out.log(created.token);
  out.error(
    `token "${created.name}" created with role ${created.role}. Copy it now: Sluice keeps only its hash and cannot show it again.\n` +
      "Use it as SLUICE_TOKEN=<token> sluice …, or send Authorization: Bearer <token> to the API.",
  );
}

/** `sluice token list`: every token with its role and history; never a token's value (none is kept). */
export async function tokenListCommand(api: ApiClient, opts: { output?: Format }, out: Output): Promise<void> {
  const tokens = await api.get<StoredToken[]>("/tokens");
  if (printStructured(out, opts.output ?? "table", tokens)) return;
  out.log(renderTokens(tokens, new Date()));
}

/** `sluice token revoke NAME`: the token is refused (401) from this moment on. */
export async function tokenRevokeCommand(api: ApiClient, name: string, out: Output): Promise<void> {
  const revoked = await api.delete<StoredToken>(`/tokens/${encodeURIComponent(name)}`);
  out.log(`token "${revoked.name}" revoked${revoked.revokedAt ? ` (at ${revoked.revokedAt})` : ""}`);
}

/** The table `token list` prints. */
export function renderTokens(tokens: StoredToken[], now: Date): string {
  if (tokens.length === 0)
    return "no named tokens (the state directory's api-token is the admin); create one with `sluice token create NAME --role ROLE`";
  return renderTable(
    ["NAME", "ROLE", "CREATED", "CREATED BY", "LAST USED", "REVOKED"],
    tokens.map((t) => [
      t.name,
      t.role,
      age(t.createdAt, now),
      t.createdBy,
      t.lastUsedAt ? `${age(t.lastUsedAt, now)} ago` : "never",
      t.revokedAt ? `${age(t.revokedAt, now)} ago by ${t.revokedBy ?? "?"}` : "-",
    ]),
  );
}
