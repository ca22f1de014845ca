import type { ApiClient } from "../../api/client.js";
import type { ApplyResult } from "../../controller/control-plane.js";
import { loadPaths } from "../../model/load.js";
import { CliError } from "../cli-error.js";
import type { Output } from "../output.js";

/**
 * `sluice apply -f FILE...`: validates locally first, so errors carry file and line, then sends
 * every resource in one request; the controller stores all of them or none.
 */
export async function applyCommand(api: ApiClient, files: string[], opts: { dryRun?: boolean }, out: Output) {
  const { resources, errors } = await loadPaths(files);
  if (errors.length > 0) {
    for (const e of errors) out.error(e.toString());
    throw new CliError(`${errors.length} error(s); nothing was applied`);
  }
  if (resources.length === 0) throw new CliError(`no resources found in ${files.join(", ")}`);
  const results = await api.post<ApplyResult[]>("/apply", { resources, dryRun: opts.dryRun ?? false });
  for (const r of results) out.log(`${r.kind.toLowerCase()}/${r.name} ${r.outcome}${opts.dryRun ? " (dry run)" : ""}`);
  return results;
}
