import { CliError } from "../cli-error.js";
import type { Output } from "../output.js";

/** `sluice import`: translation of Argo Rollouts and Flagger manifests (being written). */
export async function importCommand(_paths: string[], _out: Output): Promise<number> {
  throw new CliError("sluice import is not available in this build");
}
