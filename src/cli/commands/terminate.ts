import { isTerminal } from "../../analysis/verdict.js";
import type { ApiClient } from "../../api/client.js";
import type { AnalysisRun } from "../../model/index.js";
import type { Output } from "../output.js";

/**
 * `sluice terminate analysisrun NAME [--reason TEXT]`: ends a running analysis run with the verdict
 * its measurements give so far. The controller records who asked and why on the rollout.
 */
export async function terminateRunCommand(
  api: ApiClient,
  name: string,
  opts: { reason?: string },
  out: Output,
): Promise<AnalysisRun> {
  const body = opts.reason ? { reason: opts.reason } : {};
  const run = await api.post<AnalysisRun>(`/analysisruns/${encodeURIComponent(name)}/terminate`, body);
  out.log(terminatedLine(name, run));
  return run;
}

/** What the command prints: a run already over says how it ended; otherwise that it is ending. */
export function terminatedLine(name: string, run: AnalysisRun): string {
  const phase = run.status?.phase;
  if (isTerminal(phase)) return `analysis run "${name}" already ended ${phase}; nothing to terminate`;
  return `analysis run "${name}" terminating: it ends with the verdict its measurements give so far`;
}
