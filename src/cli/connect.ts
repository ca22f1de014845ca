import { readFileSync } from "node:fs";
import path from "node:path";
import { ApiClient } from "../api/client.js";
import { CliError } from "./cli-error.js";
import { resolveStateDir } from "./state-dir.js";

/** Global options every command that talks to a controller accepts. */
export interface ConnectOptions {
  stateDir?: string;
}

/**
 * Finds the local controller through its state directory (address and token files) and returns
 * an API client for it.
 */
export function connect(opts: ConnectOptions): ApiClient {
  const dir = resolveStateDir(opts.stateDir);
  let url: string;
  let token: string;
  try {
    url = (JSON.parse(readFileSync(path.join(dir, "api.json"), "utf8")) as { url: string }).url;
    token = readFileSync(path.join(dir, "api-token"), "utf8").trim();
  } catch (err) {
    throw new CliError(
      `no Sluice controller found in ${dir} (no api.json or api-token); start one with \`sluice up\` or pass --state-dir`,
      1,
      { cause: err },
    );
  }
  return new ApiClient(url, token);
}
