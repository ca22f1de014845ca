import type { ApiClient } from "../../api/client.js";
import type { RecordedEntry } from "../../ports/control-plane.js";
import { renderRecord } from "../format/record-view.js";
import { type Format, type Output, printStructured } from "../output.js";

/** The path of a pipeline's record, optionally narrowed to one release. */
export function recordPath(pipeline: string, release?: string): string {
  const query = release ? `?release=${encodeURIComponent(release)}` : "";
  return `/pipelines/${encodeURIComponent(pipeline)}/record${query}`;
}

/**
 * `sluice pipeline history PIPELINE [--release R]`: the record, oldest first, one line per entry
 * (time, release, stage, type, actor, reason); `-o json|yaml` prints the entries as stored.
 */
export async function pipelineHistoryCommand(
  api: ApiClient,
  pipeline: string,
  opts: { release?: string; output: Format },
  out: Output,
): Promise<RecordedEntry[]> {
  const entries = await api.get<RecordedEntry[]>(recordPath(pipeline, opts.release));
  if (!printStructured(out, opts.output, entries)) out.log(renderRecord(entries));
  return entries;
}
