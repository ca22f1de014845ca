import { explainRun } from "../../analysis/explain.js";
import { type ApiClient, ApiClientError } from "../../api/client.js";
import type { RevisionView } from "../../api/revision-routes.js";
import type { AnalysisRun, Rollout } from "../../model/index.js";
import type { EventRecord } from "../../ports/control-plane.js";
import { renderRevisions } from "../format/revisions-view.js";
import { renderRolloutView } from "../format/rollout-view.js";
import { resolveKind } from "../kinds.js";
import { fitted, type Output } from "../output.js";
import { describePipelineCommand, describeReleaseCommand } from "./pipeline-get.js";

/**
 * `sluice describe rollout NAME`: the live view plus every analysis run of the rollout, current
 * and past, with each metric's values, condition, verdict and counts toward its limits: why it
 * was promoted or rolled back.
 */
export async function describeCommand(api: ApiClient, typedKind: string, name: string, out: Output) {
  const { kind } = resolveKind(typedKind);
  if (kind === "Release") return describeReleaseCommand(api, name, out);
  if (kind === "Pipeline") return describePipelineCommand(api, name, out);
  if (kind === "AnalysisRun") {
    const run = await api.get<AnalysisRun>(`/analysisruns/${name}`);
    out.log(describeRun(run));
    return;
  }
  if (kind !== "Rollout") {
    const { plural } = resolveKind(typedKind);
    out.log(JSON.stringify(await api.get(`/${plural}/${name}`), null, 2));
    return;
  }
  const rollout = await api.get<Rollout>(`/rollouts/${name}`);
  const runs = (await api.get<AnalysisRun[]>("/analysisruns")).filter(
    (r) => r.metadata.labels?.["sluice.dev/rollout"] === name,
  );
  const events = await api.get<EventRecord[]>(`/events?kind=Rollout&name=${encodeURIComponent(name)}&limit=50`);
  out.log(
    fitted(out, renderRolloutView({ rollout, runs: [], events, now: new Date(), color: out.isTTY, maxEvents: 50 })),
  );
  const revisions = await api
    .get<{ items: RevisionView[] }>(`/rollouts/${encodeURIComponent(name)}/revisions`)
    // A controller older than this CLI has no such route: describe says the rest all the same.
    .catch((err: unknown) => {
      if (err instanceof ApiClientError && err.status === 404) return { items: [] };
      throw err;
    });
  const section = renderRevisions(revisions.items);
  if (section) out.log(`\n${fitted(out, section)}`);
  if (runs.length > 0) {
    out.log("\nAnalysis runs (newest first):");
    for (const run of [...runs].reverse()) out.log(`\n${describeRun(run)}`);
  }
}

function describeRun(run: AnalysisRun): string {
  const header = `${run.metadata.name}  ${run.status?.phase ?? "Pending"}  role=${run.metadata.labels?.["sluice.dev/role"] ?? "-"} revision=${run.metadata.labels?.["sluice.dev/revision"] ?? "-"}`;
  return [header, ...explainRun(run).map((l) => `  ${l}`)].join("\n");
}
