import type { RevisionStatus } from "../model/index.js";
import { stopAnalysisRuns } from "./analysis-runs.js";
import { dropBaseline } from "./baseline.js";
import {
  clearControllerPauses,
  emit,
  label,
  progressed,
  type ReconcileContext,
  rolloutRevision,
  stableRevision,
  wakeAt,
} from "./context.js";

/**
 * Aborts the rollout: from now on all traffic goes to the stable revision. `reason` is the
 * condition reason users filter on (AnalysisRunFailed, CrashLoop...), `message` the numbers.
 */
export function abortRollout(ctx: ReconcileContext, reason: string, message: string): void {
  const s = ctx.status;
  s.abort = true;
  s.abortedAt = ctx.nowIso;
  ctx.abortedNow = { reason, message };
  emit(
    ctx,
    "RolloutAborted",
    `${reason}: ${message}; all traffic back to stable ${label(stableRevision(ctx))}`,
    "Warning",
  );
}

/**
 * Acts on what `applyCommand` recorded: `abort` sets status.abort without abortedAt, `retry`
 * clears abort but leaves abortedAt. Outside a rollout both are meaningless and are dropped.
 */
export function consumeAbortAndRetry(ctx: ReconcileContext): void {
  const s = ctx.status;
  const revision = rolloutRevision(ctx);
  if (!revision) {
    s.abort = false;
    delete s.abortedAt;
    s.promoteFull = false;
    return;
  }
  if (s.abort && s.abortedAt === undefined) abortRollout(ctx, "RolloutAborted", "aborted by user");
  else if (!s.abort && s.abortedAt !== undefined) {
    delete s.abortedAt;
    stopAnalysisRuns(ctx);
    clearControllerPauses(ctx);
    // A retry asks every gate again: the answers were about the attempt that failed.
    delete s.gates;
    s.currentStepIndex = 0;
    s.stepStartedAt = ctx.nowIso;
    s.promoteFull = false;
    delete s.previewReadyAt;
    delete s.promotedAt;
    progressed(ctx);
    emit(ctx, "RolloutRetried", `retrying ${label(revision)} from the start`);
  }
}

/**
 * The desired state while aborted: stable takes all traffic with all its replicas, analysis
 * stops, and the aborted revision keeps its replicas for `abortScaleDownDelaySeconds` (so a
 * look at it is still possible) before going to zero.
 */
export function holdAborted(ctx: ReconcileContext, revision: RevisionStatus, abortScaleDownDelaySeconds: number): void {
  const s = ctx.status;
  dropBaseline(ctx);
  const stable = stableRevision(ctx);
  stable.weight = 100;
  stable.replicas = ctx.spec.replicas;
  revision.weight = 0;
  stopAnalysisRuns(ctx);
  clearControllerPauses(ctx);
  const at = Date.parse(s.abortedAt ?? ctx.nowIso) + abortScaleDownDelaySeconds * 1000;
  if (ctx.now.getTime() >= at) {
    if (revision.replicas > 0) {
      revision.replicas = 0;
      emit(ctx, "ScaledDown", `aborted ${label(revision)} scaled to 0`);
    }
  } else wakeAt(ctx, at);
  ctx.message = `aborted; all traffic on stable ${label(stable)}`;
}

/**
 * The start of every strategy's step: while aborted, or once the new revision crash-loops or
 * never becomes ready, hold the aborted state and say so. Returns true when the strategy must
 * stop there.
 */
export function haltIfAborted(
  ctx: ReconcileContext,
  revision: RevisionStatus,
  abortScaleDownDelaySeconds: number,
): boolean {
  if (!ctx.status.abort) {
    const failure = revisionFailure(ctx, revision);
    if (!failure) return false;
    abortRollout(ctx, failure.reason, failure.message);
  }
  holdAborted(ctx, revision, abortScaleDownDelaySeconds);
  return true;
}

/** A crash-looping or never-ready revision, as an abort reason and message; undefined if it is fine. */
export function revisionFailure(
  ctx: ReconcileContext,
  revision: RevisionStatus,
): { reason: string; message: string } | undefined {
  const seen = ctx.observed.get(revision.hash);
  if (seen?.crashLooping) return { reason: "CrashLoop", message: `${label(revision)}: ${seen.crashLooping.message}` };
  if (seen?.neverReady) return { reason: "NeverReady", message: `${label(revision)}: ${seen.neverReady.message}` };
  return undefined;
}
