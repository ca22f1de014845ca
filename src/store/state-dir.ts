import { chmodSync, lstatSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";

/** Group and other permission bits: none of them belong on Sluice's state. */
const LOOSE = 0o077;

/**
 * Creates the state directory and its `logs/` owner-only (0700) and tightens what an older Sluice
 * left readable by others: the directories, and every regular file directly in them (the database,
 * controller and replica logs, the API token, the router's files). The state holds every manifest
 * with its environment and the token that grants full control, so nobody else on the machine may
 * read it. Returns one line per thing it could not tighten (a directory owned by someone else, say),
 * naming the path and the command that fixes it; creating the directories themselves throws.
 */
export function secureStateDir(dir: string): string[] {
  const logs = path.join(dir, "logs");
  mkdirSync(logs, { recursive: true, mode: 0o700 });
  const warnings: string[] = [];
  for (const d of [dir, logs]) {
    tighten(d, 0o700, warnings);
    for (const name of readdirSync(d)) tighten(path.join(d, name), 0o600, warnings, true);
  }
  return warnings;
}

/**
 * Drops the group and other bits of `file` (the owner's own bits stay: a database the user made
 * read-only stays read-only and is refused with a clear message later). Only regular files when
 * `filesOnly`: sockets get their mode where they are created, and subdirectories are not ours.
 */
function tighten(file: string, mode: 0o600 | 0o700, warnings: string[], filesOnly = false): void {
  let current: number;
  try {
    const st = lstatSync(file);
    if (filesOnly && !st.isFile()) return;
    current = st.mode & 0o777;
  } catch {
    return; // Gone since it was listed.
  }
  if ((current & LOOSE) === 0) return;
  try {
    chmodSync(file, current & ~LOOSE);
  } catch (err) {
    const octal = current.toString(8).padStart(4, "0");
    warnings.push(
      `${file} is readable by other users (mode ${octal}) and could not be made private (${(err as Error).message}); run chmod ${mode.toString(8)} ${file}`,
    );
  }
}
