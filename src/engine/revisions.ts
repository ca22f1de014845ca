import type { RevisionHistoryEntry, RevisionStatus } from "../model/index.js";
import { stopAnalysisRuns } from "./analysis-runs.js";
import {
  clearControllerPauses,
  emit,
  findRevision,
  label,
  progressed,
  type ReconcileContext,
  rolloutRevision,
  stableRevision,
  wakeAt,
} from "./context.js";

/**
 * Compares spec.template with status and records a new revision when it changed: the first one
 * becomes stable at once; later ones start a rollout, superseding one already in progress.
 */
export function detectRevision(ctx: ReconcileContext): void {
  const s = ctx.status;
  if (s.currentRevision === undefined || findRevision(ctx, s.stableRevision) === undefined) {
    firstRevision(ctx);
    return;
  }
  if (ctx.hash === s.currentRevision) return;

  ctx.newRevision = true;
  const superseded = rolloutRevision(ctx);
  stopAnalysisRuns(ctx);
  if (superseded) s.revisions = s.revisions.filter((r) => r !== superseded);
  resetRolloutState(ctx);
  if (ctx.hash === s.stableRevision) {
    s.currentRevision = ctx.hash;
    s.currentStepIndex = stepCount(ctx);
    const stable = stableRevision(ctx);
    const what = superseded ? `; ${label(superseded)} abandoned` : "";
    emit(ctx, "RolloutReverted", `template is back to stable ${label(stable)}${what}`);
    return;
  }

  const fast = inRollbackWindow(ctx, superseded?.hash);
  const number = Math.max(0, ...s.history.map((h) => h.number)) + 1;
  s.history = renumbered(s.history, ctx.hash, number);
  // A revision still waiting for its scale-down is taken back rather than started twice.
  s.revisions = s.revisions.filter((r) => r.hash !== ctx.hash);
  const role = ctx.spec.strategy.blueGreen ? "preview" : "canary";
  const revision: RevisionStatus = { hash: ctx.hash, number, role, replicas: 0, weight: 0 };
  s.revisions.push(revision);
  s.currentRevision = ctx.hash;
  s.fastRollback = fast;
  const instead = superseded ? `, superseding ${label(superseded)}` : "";
  if (fast) emit(ctx, "FastRollback", `${label(revision)} is a recent revision: skipping steps and analysis${instead}`);
  else emit(ctx, "RolloutStarted", `rolling out ${label(revision)} (${describePlan(ctx)})${instead}`);
}

/** The history with `hash` (re)numbered as `number`, keeping whether it was ever stable. */
function renumbered(history: RevisionHistoryEntry[], hash: string, number: number): RevisionHistoryEntry[] {
  const before = history.find((h) => h.hash === hash);
  return [...history.filter((h) => h.hash !== hash), { hash, number, ...(before?.stable ? { stable: true } : {}) }];
}

function firstRevision(ctx: ReconcileContext): void {
  const s = ctx.status;
  const number = Math.max(0, ...s.history.map((h) => h.number)) + 1;
  const revision: RevisionStatus = {
    hash: ctx.hash,
    number,
    role: "stable",
    replicas: ctx.spec.replicas,
    weight: 100,
  };
  s.revisions = [revision];
  s.history = renumbered(s.history, ctx.hash, number).map((h) => (h.hash === ctx.hash ? { ...h, stable: true } : h));
  s.currentRevision = ctx.hash;
  s.stableRevision = ctx.hash;
  s.currentStepIndex = stepCount(ctx);
  progressed(ctx);
  emit(ctx, "RolloutStarted", `first ${label(revision)}: ${ctx.spec.replicas} replicas`);
}

function resetRolloutState(ctx: ReconcileContext): void {
  const s = ctx.status;
  s.currentStepIndex = 0;
  s.stepStartedAt = ctx.nowIso;
  s.abort = false;
  delete s.abortedAt;
  s.promoteFull = false;
  s.fastRollback = false;
  s.analysisRuns = {};
  delete s.previewReadyAt;
  delete s.promotedAt;
  clearControllerPauses(ctx);
  progressed(ctx);
}

/** Whether the new template is one of the last `rollbackWindow.revisions` revisions before the stable one. */
function inRollbackWindow(ctx: ReconcileContext, abandoned: string | undefined): boolean {
  const window = ctx.spec.rollbackWindow?.revisions ?? 0;
  if (window === 0) return false;
  const s = ctx.status;
  // Only a revision that once served as stable is trusted without analysis: an aborted release
  // brought back by `undo` must prove itself again.
  return s.history
    .filter((h) => h.stable === true && h.hash !== s.stableRevision && h.hash !== abandoned)
    .sort((a, b) => b.number - a.number)
    .slice(0, window)
    .some((h) => h.hash === ctx.hash);
}

function stepCount(ctx: ReconcileContext): number | undefined {
  return ctx.spec.strategy.canary ? ctx.spec.strategy.canary.steps.length : undefined;
}

function describePlan(ctx: ReconcileContext): string {
  const { canary, blueGreen } = ctx.spec.strategy;
  if (blueGreen) return "blue-green";
  const steps = canary?.steps.length ?? 0;
  return steps === 0 ? "rolling update" : `canary, ${steps} steps`;
}

/**
 * Makes the rollout's revision stable: it takes all traffic and the previous stable revision
 * keeps its replicas, unserved, until `scaleDownDelaySeconds` have passed.
 */
export function completeRollout(ctx: ReconcileContext, revision: RevisionStatus, scaleDownDelaySeconds: number): void {
  const s = ctx.status;
  const previous = stableRevision(ctx);
  stopAnalysisRuns(ctx);
  clearControllerPauses(ctx);
  previous.role = "old";
  previous.weight = 0;
  previous.scaleDownAt = new Date(ctx.now.getTime() + scaleDownDelaySeconds * 1000).toISOString();
  revision.role = "stable";
  revision.weight = 100;
  revision.replicas = ctx.spec.replicas;
  s.stableRevision = revision.hash;
  s.history = s.history.map((h) => (h.hash === revision.hash ? { ...h, stable: true } : h));
  const steps = stepCount(ctx);
  if (steps !== undefined) s.currentStepIndex = steps;
  s.promoteFull = false;
  progressed(ctx);
}

/** Deletes `old` revisions whose scale-down time has come; asks to wake for the others. */
export function scaleDownOldRevisions(ctx: ReconcileContext): void {
  const s = ctx.status;
  for (const r of [...s.revisions]) {
    if (r.role !== "old") continue;
    const at = r.scaleDownAt ? Date.parse(r.scaleDownAt) : 0;
    if (ctx.now.getTime() >= at) {
      s.revisions = s.revisions.filter((x) => x !== r);
      emit(ctx, "ScaledDown", `${label(r)} scaled down and deleted`);
    } else wakeAt(ctx, at);
  }
}

/** Keeps the newest `revisionHistoryLimit + 1` history entries, and always the revisions still running. */
export function trimHistory(ctx: ReconcileContext): void {
  const s = ctx.status;
  const keep = ctx.spec.revisionHistoryLimit + 1;
  const running = new Set(s.revisions.map((r) => r.hash));
  const newest = new Set(
    [...s.history]
      .sort((a, b) => b.number - a.number)
      .slice(0, keep)
      .map((h) => h.hash),
  );
  s.history = s.history.filter((h) => newest.has(h.hash) || running.has(h.hash));
}
