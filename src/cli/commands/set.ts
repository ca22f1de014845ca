import { CliError } from "../cli-error.js";

/**
 * Parses `KEY=VALUE` (set) and `KEY-` (remove) as kubectl set env does.
 *
 * @example parseEnvAssignments(["VERSION=2.0", "DEBUG-"]) // { VERSION: "2.0", DEBUG: null }
 */
export function parseEnvAssignments(assignments: string[]): Record<string, string | null> {
  const env: Record<string, string | null> = {};
  for (const a of assignments) {
    const eq = a.indexOf("=");
    if (eq > 0) env[a.slice(0, eq)] = a.slice(eq + 1);
    else if (a.endsWith("-") && a.length > 1) env[a.slice(0, -1)] = null;
    else throw new CliError(`"${a}" is not KEY=VALUE or KEY-; e.g. sluice set env web VERSION=2.0`);
  }
  return env;
}

/**
 * Parses `CONTAINER=IMAGE` as kubectl set image does.
 *
 * @example parseImageAssignments(["app=ghcr.io/acme/web:2.1"]) // { app: "ghcr.io/acme/web:2.1" }
 */
export function parseImageAssignments(assignments: string[]): Record<string, string> {
  const images: Record<string, string> = {};
  for (const a of assignments) {
    const eq = a.indexOf("=");
    if (eq <= 0 || eq === a.length - 1)
      throw new CliError(`"${a}" is not CONTAINER=IMAGE; e.g. sluice set image web app=ghcr.io/acme/web:2.1`);
    images[a.slice(0, eq)] = a.slice(eq + 1);
  }
  return images;
}
