import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import type { RouterConfig } from "./config.js";
import { RouterConfigError } from "./errors.js";
import { parseRouterConfig } from "./validate.js";

/**
 * Writes the config so that a crash leaves either the old file or the new one: write a temp file,
 * fsync it, rename it over the old one.
 */
export function saveConfig(file: string, cfg: RouterConfig): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, `${JSON.stringify(cfg, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/**
 * The saved config, or undefined when none was saved. Throws {@link RouterConfigError} if it is
 * unreadable. A rollout this router no longer accepts (saved by an older one) is left out.
 */
export function loadConfig(file: string): RouterConfig | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new RouterConfigError(`cannot read ${file}`, "", { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RouterConfigError(`${file} is not valid JSON`, "", { cause: err });
  }
  return parseRouterConfig(json).config;
}
