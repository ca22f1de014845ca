import { type ApiClient, ApiClientError } from "../../api/client.js";
import type { ApplyResult } from "../../ports/control-plane.js";
import { loadWithOrigins, traceErrors } from "../apply-origins.js";
import { CliError } from "../cli-error.js";
import type { Output } from "../output.js";

/**
 * `sluice apply -f FILE...`: validates locally first, so errors carry file and line, then sends
 * every resource in one request; the controller stores all of them or none. Errors only the
 * controller can find (a missing analysis template, a platform that cannot run the rollout) are
 * traced back to the file and line of their resource too.
 */
export async function applyCommand(
  api: ApiClient,
  files: string[],
  opts: { dryRun?: boolean; readStdin?: () => Promise<string> },
  out: Output,
) {
  const loaded = await loadWithOrigins(files, opts.readStdin);
  const { resources, errors } = loaded;
  if (errors.length > 0) {
    for (const e of errors) out.error(e.toString());
    throw new CliError(`${errors.length} error(s); nothing was applied`);
  }
  if (resources.length === 0) throw new CliError(`no resources found in ${files.join(", ")}`);
  // The name the controller puts in its messages; one file names them exactly.
  const source = loaded.files.length > 0 ? loaded.files.join(", ") : files.join(", ");
  let results: ApplyResult[];
  try {
    results = await api.post<ApplyResult[]>(`/apply?source=${encodeURIComponent(source)}`, {
      resources,
      dryRun: opts.dryRun ?? false,
    });
  } catch (err) {
    const details = err instanceof ApiClientError && err.code === "Invalid" ? err.extra.details : undefined;
    if (!details || details.length === 0) throw err;
    const lines = await traceErrors(api, loaded, details, source);
    for (const line of lines) out.error(line);
    throw new CliError(`${lines.length} error(s); nothing was applied`, 1, { cause: err });
  }
  for (const r of results) out.log(`${r.kind.toLowerCase()}/${r.name} ${r.outcome}${opts.dryRun ? " (dry run)" : ""}`);
  return results;
}
