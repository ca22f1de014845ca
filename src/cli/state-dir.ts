import { statSync } from "node:fs";
import path from "node:path";

/**
 * The state directory: `--state-dir`, else `$SLUICE_STATE_DIR`, else the nearest `.sluice` in the
 * working directory or one of its parents (as git finds `.git`, so a second terminal anywhere in
 * the project finds the controller), else `.sluice` in the working directory.
 */
export function resolveStateDir(flag?: string, cwd: string = process.cwd()): string {
  if (flag) return path.resolve(flag);
  if (process.env.SLUICE_STATE_DIR) return path.resolve(process.env.SLUICE_STATE_DIR);
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, ".sluice");
    if (isDirectory(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  return path.resolve(cwd, ".sluice");
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
