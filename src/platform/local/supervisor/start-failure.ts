import { existsSync, statSync } from "node:fs";
import type { ProcessTemplate } from "../../../model/workload.js";

/**
 * Why a replica's process could not start, in words that name the field to fix. Node reports a
 * missing working directory as `spawn node ENOENT`, which blames the command; look at both.
 */
export function startFailure(err: unknown, template: Pick<ProcessTemplate, "command" | "cwd">): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  const text = err instanceof Error ? err.message : String(err);
  if (template.cwd !== undefined && !isDirectory(template.cwd))
    return `could not start: the working directory ${template.cwd} does not exist (spec.template.process.cwd)`;
  if (code === "ENOENT")
    return `could not start: command ${template.command} was not found (spec.template.process.command; give a path or put it on PATH)`;
  if (code === "EACCES")
    return `could not start: command ${template.command} is not executable (spec.template.process.command)`;
  return `could not start (${text})`;
}

function isDirectory(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isDirectory();
  } catch {
    return false;
  }
}
