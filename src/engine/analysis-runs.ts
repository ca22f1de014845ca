import type { AnalysisPhase, AnalysisRunArg, RolloutAnalysis, RolloutAnalysisRuns } from "../model/index.js";
import { emit, type ReconcileContext } from "./context.js";
import type { AnalysisRunRole } from "./types.js";

const MAX_NAME = 63;

/**
 * A unique, valid resource name for an analysis run: `<rollout>-<revision number>-<seq>-<what>`.
 * The rollout part is shortened when the whole would pass 63 characters.
 */
export function analysisRunName(rollout: string, revisionNumber: number, seq: number, what: string): string {
  const suffix = `-${revisionNumber}-${seq}-${what}`;
  const prefix = rollout.slice(0, Math.max(1, MAX_NAME - suffix.length)).replace(/-+$/, "");
  return `${prefix}${suffix}`;
}

/** The suffix a step's analysis run name ends with, so a run can be matched to its step. */
export function stepRunSuffix(index: number): string {
  return `step${index + 1}`;
}

/**
 * Resolves `valueFrom.podTemplateHashValue` args to revision keys. `Baseline` is the baseline
 * revision when the rollout runs one, else the stable revision: one template serves both.
 */
export function resolveArgs(
  args: readonly AnalysisRunArg[],
  canary: string,
  stable: string | undefined,
  baseline?: string,
) {
  const out: Record<string, string> = {};
  for (const arg of args) {
    const from = arg.valueFrom?.podTemplateHashValue;
    const compared = from === "Baseline" ? (baseline ?? stable) : from === "Stable" ? stable : undefined;
    if (from === "Latest") out[arg.name] = canary;
    else if (compared !== undefined) out[arg.name] = compared;
  }
  return out;
}

/**
 * Records a new analysis run in status and asks the controller to create it. The run name is
 * recorded first, so a later reconcile never starts it twice.
 */
export function startAnalysisRun(
  ctx: ReconcileContext,
  role: AnalysisRunRole,
  analysis: RolloutAnalysis,
  revisions: { canary: { hash: string; number: number }; stable: string | undefined; baseline?: string | undefined },
  what: string,
  why: string,
): string {
  const s = ctx.status;
  s.analysisRunSeq += 1;
  const name = analysisRunName(ctx.rollout.metadata.name, revisions.canary.number, s.analysisRunSeq, what);
  s.analysisRuns[role] = name;
  ctx.analysisActions.push({
    type: "startAnalysisRun",
    name,
    role,
    analysis: { templates: analysis.templates, args: analysis.args },
    args: resolveArgs(analysis.args, revisions.canary.hash, revisions.stable, revisions.baseline),
    canaryRevision: revisions.canary.hash,
    ...(revisions.stable !== undefined ? { stableRevision: revisions.stable } : {}),
    ...(revisions.baseline !== undefined ? { baselineRevision: revisions.baseline } : {}),
  });
  emit(ctx, "AnalysisRunStarted", `analysis run ${name} started for ${why}`);
  return name;
}

/** Stops the runs of the given roles (all by default) and forgets them. */
export function stopAnalysisRuns(ctx: ReconcileContext, roles?: readonly (keyof RolloutAnalysisRuns)[]): void {
  const runs = ctx.status.analysisRuns;
  for (const role of roles ?? (Object.keys(runs) as (keyof RolloutAnalysisRuns)[])) {
    const name = runs[role];
    if (name === undefined) continue;
    if (!isFinished(ctx.analysis[name]?.phase)) ctx.analysisActions.push({ type: "stopAnalysisRun", name });
    delete runs[role];
  }
}

/** The verdict of a run as observed, with a phrase for messages. */
export function verdictOf(ctx: ReconcileContext, name: string): { phase: AnalysisPhase | "Missing"; text: string } {
  const seen = ctx.analysis[name];
  if (!seen) return { phase: "Missing", text: `analysis run ${name} starting` };
  const detail = seen.message ? `: ${seen.message}` : "";
  return { phase: seen.phase, text: `analysis run ${name} ${seen.phase}${detail}` };
}

function isFinished(phase: AnalysisPhase | undefined): boolean {
  return phase === "Successful" || phase === "Failed" || phase === "Error" || phase === "Inconclusive";
}
