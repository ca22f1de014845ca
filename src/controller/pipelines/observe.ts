import {
  type AnalysisRun,
  byCreation,
  type Pipeline,
  type PipelineStage,
  type Release,
  type Rollout,
} from "../../model/index.js";
import type { GateRuns, PlanInput, StageObservation } from "../../pipeline/index.js";
import { releaseOf } from "../../pipeline/index.js";
import type { StageReach } from "../../ports/pipeline-store.js";

/** The label that ties a gate's analysis run to its pipeline. */
export const PIPELINE_LABEL = "sluice.dev/pipeline";

/**
 * What the planner may believe about a stage's rollout. A status older than the spec describes the
 * release before the one the template names, so it counts as Progressing: a Healthy left over from
 * v1 must never pass v2 through a stage.
 */
export function observeStage(rollout: Rollout | undefined, reach?: StageReach): StageObservation {
  if (reach && !reach.reachable) {
    // What the hub last saw, for display only: the planner records nothing from it.
    const known = rollout ? observeStage(rollout) : { phase: "Progressing" as const };
    const { missing: _, ...rest } = known;
    return {
      ...rest,
      unreachable: {
        cluster: reach.cluster,
        reason: reach.error ?? "no answer",
        ...(reach.lastContact ? { lastContact: reach.lastContact.toISOString() } : {}),
      },
    };
  }
  if (!rollout) return { phase: "Progressing", missing: true };
  const release = releaseOf(rollout.spec);
  const s = rollout.status;
  const current = s !== undefined && s.observedGeneration >= (rollout.metadata.generation ?? 0);
  if (!current) return { ...(release ? { release } : {}), phase: "Progressing" };
  const settled = s.currentRevision === undefined || s.currentRevision === s.stableRevision;
  const phase = s.phase === "Healthy" && !settled ? "Progressing" : s.phase;
  const healthy = s.conditions.find((c) => c.type === "Healthy" && c.status === "True");
  return {
    ...(release ? { release } : {}),
    ...(s.stableRevision ? { stableRevision: s.stableRevision } : {}),
    phase,
    ...(phase === "Healthy" && healthy ? { healthySince: healthy.lastTransitionTime } : {}),
    ...(s.abort ? { aborted: true } : {}),
    ...(phase === "Degraded" || s.abort ? { failedAt: s.abortedAt ?? latestTransition(rollout) } : {}),
  };
}

function latestTransition(rollout: Rollout): string | undefined {
  const times = (rollout.status?.conditions ?? []).map((c) => c.lastTransitionTime).sort();
  return times.at(-1);
}

/** The releases of a pipeline, oldest first (by creation time, then name, so the order is total). */
export function releasesOf(pipeline: string, releases: readonly Release[]): Release[] {
  return releases.filter((r) => r.spec.pipeline === pipeline).sort(byCreation);
}

/** The verdicts of the pipeline's gate runs, by run name. */
export function gateRunsOf(pipeline: string, runs: readonly AnalysisRun[]): GateRuns {
  const out: GateRuns = {};
  for (const run of runs) {
    if (run.metadata.labels?.[PIPELINE_LABEL] !== pipeline) continue;
    const phase = run.status?.phase ?? "Pending";
    out[run.metadata.name] = { phase, ...(run.status?.message ? { message: run.status.message } : {}) };
  }
  return out;
}

/** Everything the planner needs, read from stored resources. */
export function planInput(
  pipeline: Pipeline,
  lookup: {
    /** The rollout a stage changes. */
    rollout: (stage: PipelineStage) => Rollout | undefined;
    /** For a stage in another cluster, whether the hub can see it now. */
    reach?: (stage: PipelineStage) => StageReach | undefined;
    releases: readonly Release[];
    runs: readonly AnalysisRun[];
    record: PlanInput["record"];
  },
  now: Date,
): PlanInput {
  const name = pipeline.metadata.name;
  const stages: Record<string, StageObservation> = {};
  for (const stage of pipeline.spec.stages)
    stages[stage.name] = observeStage(lookup.rollout(stage), lookup.reach?.(stage));
  return {
    pipeline: { name, spec: pipeline.spec },
    releases: releasesOf(name, lookup.releases),
    stages,
    record: lookup.record,
    runs: gateRunsOf(name, lookup.runs),
    now,
  };
}
