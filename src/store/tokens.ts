import { createHash, randomBytes } from "node:crypto";
import type Database from "better-sqlite3";

/** Every token Sluice issues starts with this, so secret scanners and people recognise one. */
export const TOKEN_PREFIX = "sluice_";

/** Random bytes behind each token (256 bits: guessing or brute-forcing a SHA-256 of one is hopeless). */
const TOKEN_BYTES = 32;

/** What the store keeps about a named API token. The token itself is never stored, only its hash. */
export interface StoredToken {
  name: string;
  /** One of the API's roles (src/api/roles.ts); the store keeps it as written. */
  role: string;
  createdAt: string;
  /** The name of the token that created it. */
  createdBy: string;
  /** Last time it authenticated a request, to the minute. */
  lastUsedAt?: string;
  revokedAt?: string;
  revokedBy?: string;
}

interface TokenRow {
  name: string;
  role: string;
  created_at: string;
  created_by: string;
  last_used_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
}

/** Writing "last used" on every request would turn each GET into a write; once a minute is enough to be useful. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Named API tokens, stored as SHA-256 digests. A lookup by digest reveals nothing through its
 * timing: a caller cannot choose the digest of what it sends, so it cannot probe the index byte by
 * byte. Revoked tokens stay in the table, so the record can still name them.
 */
export class TokenTable {
  private readonly insert;
  private readonly byHash;
  private readonly byName;
  private readonly all;
  private readonly touch;
  private readonly markRevoked;

  constructor(
    db: Database.Database,
    private readonly now: () => Date,
  ) {
    const columns = "name, role, created_at, created_by, last_used_at, revoked_at, revoked_by";
    this.insert = db.prepare(
      "INSERT INTO tokens (name, role, hash, created_at, created_by) VALUES (@name, @role, @hash, @createdAt, @createdBy)",
    );
    this.byHash = db.prepare<[string], TokenRow>(`SELECT ${columns} FROM tokens WHERE hash = ?`);
    this.byName = db.prepare<[string], TokenRow>(`SELECT ${columns} FROM tokens WHERE name = ?`);
    this.all = db.prepare<[], TokenRow>(`SELECT ${columns} FROM tokens ORDER BY created_at, name`);
    this.touch = db.prepare("UPDATE tokens SET last_used_at = ? WHERE name = ?");
    this.markRevoked = db.prepare(
      "UPDATE tokens SET revoked_at = @time, revoked_by = @by WHERE name = @name AND revoked_at IS NULL",
    );
  }

  /**
   * Issues a new token and stores its digest. Returns the token, which exists nowhere else: show it
   * once. Throws if the name is taken (by a live or a revoked token: the record must name one).
   */
  create(name: string, role: string, createdBy: string): { token: string; record: StoredToken } {
    const token = `${TOKEN_PREFIX}${randomBytes(TOKEN_BYTES).toString("base64url")}`;
    const createdAt = this.now().toISOString();
    this.insert.run({ name, role, hash: tokenDigest(token), createdAt, createdBy });
    return { token, record: { name, role, createdAt, createdBy } };
  }

  /** The token a request presented, revoked or not; undefined for one never issued. Notes its use. */
  authenticate(token: string): StoredToken | undefined {
    const row = this.byHash.get(tokenDigest(token));
    if (!row) return undefined;
    const record = fromRow(row);
    if (!record.revokedAt) {
      const now = this.now();
      const last = record.lastUsedAt ? Date.parse(record.lastUsedAt) : Number.NEGATIVE_INFINITY;
      if (now.getTime() - last >= LAST_USED_RESOLUTION_MS) {
        record.lastUsedAt = now.toISOString();
        this.touch.run(record.lastUsedAt, record.name);
      }
    }
    return record;
  }

  get(name: string): StoredToken | undefined {
    const row = this.byName.get(name);
    return row ? fromRow(row) : undefined;
  }

  /** Every token, revoked ones included, oldest first. */
  list(): StoredToken[] {
    return this.all.all().map(fromRow);
  }

  /**
   * Revokes a token from now on; revoking one already revoked keeps the first time and actor.
   * Returns the token as it now stands, or undefined when there is none by that name.
   */
  revoke(name: string, revokedBy: string): StoredToken | undefined {
    this.markRevoked.run({ name, by: revokedBy, time: this.now().toISOString() });
    return this.get(name);
  }
}

/** The stored form of a token: its SHA-256, hex. */
export function tokenDigest(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function fromRow(row: TokenRow): StoredToken {
  return {
    name: row.name,
    role: row.role,
    createdAt: row.created_at,
    createdBy: row.created_by,
    ...(row.last_used_at ? { lastUsedAt: row.last_used_at } : {}),
    ...(row.revoked_at ? { revokedAt: row.revoked_at } : {}),
    ...(row.revoked_by ? { revokedBy: row.revoked_by } : {}),
  };
}
