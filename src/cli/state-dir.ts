import path from "node:path";

/** The state directory: `--state-dir`, else `$SLUICE_STATE_DIR`, else `.sluice` in the working directory. */
export function resolveStateDir(flag?: string): string {
  return path.resolve(flag ?? process.env.SLUICE_STATE_DIR ?? ".sluice");
}
