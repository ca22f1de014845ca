import type { BlueGreenStrategy, RevisionStatus, RolloutAnalysis } from "../model/index.js";
import { abortRollout, haltIfAborted, holdAborted } from "./abort.js";
import { startAnalysisRun, verdictOf } from "./analysis-runs.js";
import {
  addPause,
  emit,
  hasPause,
  isReady,
  label,
  progressed,
  type ReconcileContext,
  readyOf,
  stableRevision,
  wakeAt,
} from "./context.js";
import { completeRollout } from "./revisions.js";

type Gate = "pass" | "wait" | "aborted";

/**
 * Moves a blue-green rollout forward: the new revision comes up behind the preview listener,
 * passes pre-promotion analysis and any pause, is scaled to full size, takes all traffic at
 * once, passes post-promotion analysis, and only then becomes stable. Until then the previous
 * revision keeps all its replicas, so an abort switches straight back.
 */
export function progressBlueGreen(ctx: ReconcileContext, preview: RevisionStatus): void {
  const strategy = ctx.spec.strategy.blueGreen as BlueGreenStrategy;
  const s = ctx.status;
  const active = stableRevision(ctx);
  active.replicas = ctx.spec.replicas;
  if (haltIfAborted(ctx, preview, strategy.abortScaleDownDelaySeconds)) return;
  const skipping = s.promoteFull || s.fastRollback;

  if (s.promotedAt === undefined) {
    const outcome = beforeSwitch(ctx, strategy, preview, skipping);
    if (outcome === "aborted") holdAborted(ctx, preview, strategy.abortScaleDownDelaySeconds);
    if (outcome !== "pass") return;
  }

  preview.replicas = ctx.spec.replicas;
  preview.weight = 100;
  active.weight = 0;
  const post = skipping ? "pass" : analysisGate(ctx, "postPromotion", strategy.postPromotionAnalysis, preview);
  if (post === "aborted") holdAborted(ctx, preview, strategy.abortScaleDownDelaySeconds);
  if (post !== "pass") return;
  completeRollout(ctx, preview, strategy.scaleDownDelaySeconds);
}

/** Everything up to the switch; "pass" once the preview has taken all traffic. */
function beforeSwitch(
  ctx: ReconcileContext,
  strategy: BlueGreenStrategy,
  preview: RevisionStatus,
  skipping: boolean,
): Gate {
  const s = ctx.status;
  const active = stableRevision(ctx);
  const previewReplicas = skipping ? ctx.spec.replicas : (strategy.previewReplicaCount ?? ctx.spec.replicas);
  preview.replicas = previewReplicas;
  preview.weight = 0;
  active.weight = 100;
  if (s.previewReadyAt === undefined) {
    if (!isReady(ctx, preview.hash, previewReplicas)) {
      ctx.waitingForReadiness = true;
      ctx.message = `preview ${label(preview)}: ${readyOf(ctx, preview.hash)}/${previewReplicas} ready`;
      return "wait";
    }
    s.previewReadyAt = ctx.nowIso;
    progressed(ctx);
    emit(ctx, "PreviewReady", `preview ${label(preview)} is ready with ${previewReplicas} replicas`);
    // The pause is set together with previewReadyAt, so a preview that is ready without it has been promoted.
    if (!skipping && !strategy.autoPromotionEnabled && addPause(ctx, "BlueGreenPause"))
      emit(ctx, "Paused", `preview ${label(preview)} waits for promote`);
  }

  const pre = skipping ? "pass" : analysisGate(ctx, "prePromotion", strategy.prePromotionAnalysis, preview);
  if (pre !== "pass") return pre;
  if (hasPause(ctx)) {
    ctx.message = hasPause(ctx, "BlueGreenPause")
      ? `preview ${label(preview)} is ready; waiting for promote`
      : `paused before switching to ${label(preview)}`;
    return "wait";
  }
  if (!skipping && strategy.autoPromotionEnabled && strategy.autoPromotionSeconds !== undefined) {
    const at = Date.parse(s.previewReadyAt) + strategy.autoPromotionSeconds * 1000;
    if (ctx.now.getTime() < at) {
      wakeAt(ctx, at);
      ctx.message = `preview ${label(preview)} is ready; promoting at ${new Date(at).toISOString()}`;
      return "wait";
    }
  }

  preview.replicas = ctx.spec.replicas;
  if (!isReady(ctx, preview.hash, ctx.spec.replicas)) {
    ctx.waitingForReadiness = true;
    ctx.message = `scaling ${label(preview)} to ${ctx.spec.replicas} before the switch: ${readyOf(ctx, preview.hash)} ready`;
    return "wait";
  }
  s.promotedAt = ctx.nowIso;
  progressed(ctx);
  emit(ctx, "Promoted", `active switched from ${label(active)} to ${label(preview)}`);
  return "pass";
}

/** Runs one analysis (pre or post promotion) to a verdict; "pass" when there is none to run. */
function analysisGate(
  ctx: ReconcileContext,
  role: "prePromotion" | "postPromotion",
  analysis: RolloutAnalysis | undefined,
  preview: RevisionStatus,
): Gate {
  if (!analysis) return "pass";
  const s = ctx.status;
  const what = role === "prePromotion" ? "pre-promotion" : "post-promotion";
  const name =
    s.analysisRuns[role] ??
    startAnalysisRun(
      ctx,
      role,
      analysis,
      { canary: preview, stable: s.stableRevision },
      role === "prePromotion" ? "pre" : "post",
      `${what} analysis of ${label(preview)}`,
    );
  const verdict = verdictOf(ctx, name);
  switch (verdict.phase) {
    case "Successful":
      return "pass";
    case "Failed":
    case "Error":
      abortRollout(ctx, `AnalysisRun${verdict.phase}`, verdict.text);
      return "aborted";
    case "Inconclusive":
      if (addPause(ctx, "InconclusiveAnalysis"))
        emit(ctx, "Paused", `${verdict.text}; promote to go on or abort to roll back`, "Warning");
      ctx.message = `paused: ${verdict.text}; promote to go on or abort to roll back`;
      return "wait";
    default:
      ctx.message = `${what}: ${verdict.text}`;
      return "wait";
  }
}
