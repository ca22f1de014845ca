import type { ApiClient } from "../../api/client.js";
import type { Pipeline } from "../../model/index.js";
import type { RecordedEntry } from "../../ports/control-plane.js";
import { CliError } from "../cli-error.js";
import { pipelineStatus } from "../format/pipeline-view.js";
import { recordedLine } from "../format/record-view.js";
import { type Format, type Output, printStructured } from "../output.js";

/** What a person asks of a stage: approve or deny it (approver), promote a release into it or retry its gates (operator). */
export type StageVerb = "approve" | "deny" | "promote" | "retry";
/** What a person asks of a release as a whole (operator). */
export type ReleaseVerb = "reject" | "unreject";

export interface RequestOptions {
  reason: string;
  output?: Format;
}

/**
 * Sends a stage request (`sluice approve|deny`, `sluice pipeline promote|retry`) and prints the
 * record entry it wrote, with who it names as the actor. A refusal (403 with the role needed,
 * 409 when the pipeline's state does not allow it) is the API's one-line error.
 */
export async function stageRequestCommand(
  api: ApiClient,
  verb: StageVerb,
  pipeline: string,
  stage: string,
  release: string,
  opts: RequestOptions,
  out: Output,
): Promise<RecordedEntry> {
  const entry = await api.post<RecordedEntry>(`/pipelines/${encodeURIComponent(pipeline)}/${verb}`, {
    stage,
    release,
    reason: opts.reason,
  });
  print(entry, opts, out);
  return entry;
}

/** `sluice release reject|unreject NAME --reason …`: prints the record entry it wrote. */
export async function releaseRequestCommand(
  api: ApiClient,
  verb: ReleaseVerb,
  release: string,
  opts: RequestOptions,
  out: Output,
): Promise<RecordedEntry> {
  const entry = await api.post<RecordedEntry>(`/releases/${encodeURIComponent(release)}/${verb}`, {
    reason: opts.reason,
  });
  print(entry, opts, out);
  return entry;
}

/**
 * The release `approve` or `deny` answers when none is named: the one waiting at the stage's
 * approval gate, as the pipeline's status shows it.
 */
export async function waitingRelease(api: ApiClient, pipeline: string, stage: string): Promise<string> {
  const p = await api.get<Pipeline>(`/pipelines/${encodeURIComponent(pipeline)}`);
  const view = pipelineStatus(p)?.stages.find((s) => s.stage === stage);
  if (!p.spec.stages.some((s) => s.name === stage))
    throw new CliError(
      `pipeline ${pipeline} has no stage "${stage}"; its stages are ${p.spec.stages.map((s) => s.name).join(", ")}`,
    );
  const waiting = view?.gates.some((g) => g.gate === "approval" && g.state === "Waiting");
  if (!view?.candidate || !waiting)
    throw new CliError(
      `no release waits for approval in ${stage} of pipeline ${pipeline}; name one with --release (see sluice get pipeline ${pipeline})`,
    );
  return view.candidate;
}

function print(entry: RecordedEntry, opts: RequestOptions, out: Output): void {
  if (printStructured(out, opts.output ?? "table", entry)) return;
  out.log(recordedLine(entry));
}
