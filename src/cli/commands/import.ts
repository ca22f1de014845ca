import type { ReadOptions } from "../../import/documents.js";
import { formatNote } from "../../import/notes.js";
import { type ImportOptions, importPaths, renderResources } from "../../import/translate.js";
import { resourceChecks } from "../lint.js";
import type { Output } from "../output.js";

/**
 * `sluice import PATH...`: translates Argo Rollouts and Flagger manifests and prints the Sluice
 * resources as multi-document YAML on stdout, with one `warning:` line on stderr per field it could
 * not translate. Returns 0 when every document was translated (warnings allowed), 1 when one could
 * not be (YAML syntax, unreadable file, a metric or gate Sluice cannot express without
 * `--drop-unsupported`); what could be translated is still printed.
 */
export async function importCommand(
  paths: string[],
  out: Output,
  opts: ReadOptions & ImportOptions = {},
): Promise<number> {
  if (paths.length === 0) {
    out.error("error: name at least one file or directory, or - for standard input");
    return 1;
  }
  // Every printed resource passes the checks `sluice lint` runs, so the output always lints.
  const { resources, notes } = await importPaths(paths, { checks: resourceChecks, ...opts });
  if (resources.length > 0) out.log(renderResources(resources));
  for (const n of notes) out.error(formatNote(n));
  const failed = notes.some((n) => n.severity === "error");
  if (resources.length === 0 && !failed) {
    out.error(`error: no Argo Rollouts or Flagger resources found in ${paths.join(", ")}`);
    return 1;
  }
  return failed ? 1 : 0;
}
