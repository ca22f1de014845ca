import { randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/*
 * How generated requests are told apart from users' at the local router. A request is generated
 * load only when it carries `x-sluice-load: <secret> <revision>` with the secret of this state
 * directory, which only the controller and the router read (owner-only file in an owner-only
 * directory). A user who sends the header without the secret is counted as a user, so nobody can
 * hide a canary's errors by labelling their own requests as generated.
 */

/** The request header that marks generated load. */
export const LOAD_HEADER = "x-sluice-load";
const SECRET_FILE = "load-secret";

/**
 * The state directory's load secret, created on first use. Exclusive create, so a controller and a
 * router starting together agree on one secret.
 */
export function loadSecret(stateDir: string): string {
  const file = path.join(stateDir, SECRET_FILE);
  try {
    return readFileSync(file, "utf8").trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  try {
    writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  return readFileSync(file, "utf8").trim();
}

/** The header value a generated request to `revision` carries. */
export function loadHeaderValue(secret: string, revision: string): string {
  return `${secret} ${revision}`;
}

/**
 * The revision a generated request asks for, or undefined when the header is absent, malformed or
 * its secret is wrong (then the request is a user's). Compared in constant time.
 */
export function generatedRevision(
  header: string | string[] | undefined,
  secret: string | undefined,
): string | undefined {
  if (secret === undefined || typeof header !== "string") return undefined;
  const space = header.indexOf(" ");
  if (space <= 0) return undefined;
  const given = Buffer.from(header.slice(0, space));
  const expected = Buffer.from(secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return header.slice(space + 1) || undefined;
}
