import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

/** The token file, readable by its owner only. */
export const TOKEN_FILE = "api-token";
/** Where a running controller writes its API address for the CLI. */
export const ADDRESS_FILE = "api.json";

const TOKEN_RE = /^[0-9a-f]{64}$/;

/** What `api.json` holds. */
export interface ApiAddress {
  url: string;
  /** The controller's process id, when it wrote one. */
  pid?: number;
}

/** A state file of the API that exists but cannot be used. */
export class ApiStateFileError extends Error {
  override readonly name = "ApiStateFileError";
  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Returns the API token kept in `<stateDir>/api-token`, creating a random 32-byte hex one (mode
 * 0600) when there is none or the file does not hold a valid token. Reusing it keeps CLI sessions
 * and scripts working across controller restarts.
 */
export function createToken(stateDir: string): string {
  const file = path.join(stateDir, TOKEN_FILE);
  let existing: string | undefined;
  try {
    existing = readFileSync(file, "utf8").trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  if (existing !== undefined && TOKEN_RE.test(existing)) {
    // Tighten a file someone loosened: the token grants full control.
    chmodSync(file, 0o600);
    return existing;
  }
  const token = randomBytes(32).toString("hex");
  writeAtomically(file, `${token}\n`, 0o600);
  return token;
}

/**
 * Records where the API listens, for the CLI (`<stateDir>/api.json`). Owner-only like the token:
 * nobody else on the machine needs to find the controller.
 */
export function writeApiAddress(stateDir: string, url: string, pid: number = process.pid): void {
  const address: ApiAddress = { url, pid };
  writeAtomically(path.join(stateDir, ADDRESS_FILE), `${JSON.stringify(address)}\n`, 0o600);
}

/** Reads `<stateDir>/api.json`; undefined when there is none. Throws ApiStateFileError when it is unusable. */
export function readApiAddress(stateDir: string): ApiAddress | undefined {
  const file = path.join(stateDir, ADDRESS_FILE);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ApiStateFileError(`cannot read ${file}: ${(err as Error).message}`, file, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ApiStateFileError(`${file} is not valid JSON; delete it and restart the controller`, file, {
      cause: err,
    });
  }
  const { url, pid } = (parsed ?? {}) as { url?: unknown; pid?: unknown };
  if (typeof url !== "string" || !/^https?:\/\//.test(url))
    throw new ApiStateFileError(`${file} has no "url"; delete it and restart the controller`, file);
  return typeof pid === "number" ? { url, pid } : { url };
}

/** Readers never see a half-written file: write beside it, then rename over it. */
function writeAtomically(file: string, content: string, mode: number): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}
