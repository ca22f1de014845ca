import type { Rollout } from "../model/index.js";
import { abortRollout, consumeAbortAndRetry } from "./abort.js";
import { buildActions } from "./actions.js";
import { dropBaseline } from "./baseline.js";
import { progressBlueGreen } from "./blue-green.js";
import { progressCanary } from "./canary.js";
import { finishStatus, getCondition, PROGRESS_DEADLINE_EXCEEDED } from "./conditions.js";
import {
  addPause,
  createContext,
  emit,
  hasPause,
  isReady,
  label,
  progressed,
  type ReconcileContext,
  readyOf,
  removePause,
  rolloutRevision,
  stableRevision,
  wakeAt,
} from "./context.js";
import { detectRevision, scaleDownOldRevisions, trimHistory } from "./revisions.js";
import type { AnalysisObservation, Observation, ReconcileResult } from "./types.js";

/**
 * Decides what a rollout needs now. Pure: the same rollout, observation, analysis verdicts and
 * `now` always give the same result, and reconciling the returned status again with the same
 * inputs changes nothing and emits no events.
 *
 * Actions are the full desired state every time (ensure/scale every revision, set traffic,
 * delete what status no longer lists), so a restarted controller converges; startAnalysisRun and
 * stopAnalysisRun appear only on the reconcile that records or drops the run in status.
 */
export function reconcile(
  rollout: Rollout,
  observation: Observation,
  analysis: AnalysisObservation,
  now: Date,
): ReconcileResult {
  const ctx = createContext(rollout, observation, analysis, now);
  const s = ctx.status;
  if (rollout.metadata.generation !== undefined) s.observedGeneration = rollout.metadata.generation;

  detectRevision(ctx);
  consumeAbortAndRetry(ctx);
  recordReadiness(ctx);
  recordRestart(ctx);
  syncUserPause(ctx);
  syncTrafficError(ctx);
  runStrategy(ctx);
  const deadline = checkProgressDeadline(ctx);
  finishStatus(ctx, deadline);
  scaleDownOldRevisions(ctx);
  trimHistory(ctx);

  const future = ctx.wakes.filter((t) => t > now.getTime());
  return {
    status: s,
    actions: buildActions(ctx),
    events: ctx.events,
    ...(future.length > 0 ? { wakeAt: new Date(Math.min(...future)) } : {}),
  };
}

function runStrategy(ctx: ReconcileContext): void {
  const revision = rolloutRevision(ctx);
  if (!revision) steadyState(ctx);
  else if (ctx.spec.strategy.blueGreen) progressBlueGreen(ctx, revision);
  else progressCanary(ctx, revision);
}

/** No rollout in progress: the stable revision serves everything with spec.replicas. */
function steadyState(ctx: ReconcileContext): void {
  dropBaseline(ctx);
  const stable = stableRevision(ctx);
  stable.replicas = ctx.spec.replicas;
  stable.weight = 100;
  delete ctx.status.gates;
  const steps = ctx.spec.strategy.canary?.steps.length;
  if (steps !== undefined) ctx.status.currentStepIndex = steps;
  const ready = readyOf(ctx, stable.hash);
  if (hasPause(ctx, "UserPause")) ctx.message = `paused by user; ${label(stable)} is stable`;
  else if (!isReady(ctx, stable.hash, ctx.spec.replicas)) {
    ctx.waitingForReadiness = true;
    ctx.message = `waiting for ${label(stable)}: ${ready}/${ctx.spec.replicas} ready`;
  }
}

/** Stores ready counts; a change in a revision that is not being retired is progress. */
function recordReadiness(ctx: ReconcileContext): void {
  const totalReady = ctx.status.revisions.reduce((sum, r) => sum + readyOf(ctx, r.hash), 0);
  for (const r of ctx.status.revisions) {
    const ready = readyOf(ctx, r.hash);
    if (r.role !== "old" && (r.readyReplicas ?? 0) !== ready) progressed(ctx);
    r.readyReplicas = ready;
    if (ctx.observation.replicaRatioTraffic && totalReady > 0) r.actualWeight = Math.round((ready / totalReady) * 100);
    else delete r.actualWeight;
  }
}

function recordRestart(ctx: ReconcileContext): void {
  const at = ctx.spec.restartAt;
  if (at === undefined || at === ctx.status.restartedAt) return;
  ctx.status.restartedAt = at;
  emit(ctx, "Restarted", `replicas started before ${at} are being replaced`);
}

/** spec.paused (sluice pause / resume) is mirrored as a UserPause condition. */
function syncUserPause(ctx: ReconcileContext): void {
  if (ctx.spec.paused) {
    if (addPause(ctx, "UserPause")) emit(ctx, "Paused", "paused by user");
  } else if (hasPause(ctx, "UserPause")) {
    removePause(ctx, "UserPause");
    emit(ctx, "Resumed", "resumed by user");
  }
}

/**
 * A router that cannot apply traffic pauses a rollout in progress rather than letting steps run
 * against weights that never took effect; the pause lifts once the router succeeds again.
 */
function syncTrafficError(ctx: ReconcileContext): void {
  const error = ctx.observation.trafficError;
  if (error && rolloutRevision(ctx) && !ctx.status.abort) {
    if (addPause(ctx, "TrafficRoutingError")) emit(ctx, "TrafficRoutingError", error.message, "Warning");
  } else if (!error && hasPause(ctx, "TrafficRoutingError")) {
    removePause(ctx, "TrafficRoutingError");
    emit(ctx, "TrafficRoutingRecovered", "the traffic router applied the weights again");
  }
}

/**
 * The progress deadline counts only while the rollout waits on replicas becoming ready, not
 * while paused or analysing. Exceeding it makes the rollout Degraded, and aborts it when
 * spec.progressDeadlineAbort is set.
 */
function checkProgressDeadline(ctx: ReconcileContext): { exceeded: boolean; message: string } {
  const s = ctx.status;
  const none = { exceeded: false, message: "" };
  if (s.abort || !ctx.waitingForReadiness || hasPause(ctx) || s.lastProgressAt === undefined) return none;
  const seconds = ctx.spec.progressDeadlineSeconds;
  const limit = Date.parse(s.lastProgressAt) + seconds * 1000;
  if (ctx.now.getTime() < limit) {
    wakeAt(ctx, limit);
    return none;
  }
  const message = `no progress for ${seconds}s: ${ctx.message ?? "waiting"}`;
  const prev = getCondition(ctx.previous?.conditions, "Progressing");
  if (!(prev?.status === "False" && prev.reason === PROGRESS_DEADLINE_EXCEEDED))
    emit(ctx, PROGRESS_DEADLINE_EXCEEDED, message, "Warning");
  if (ctx.spec.progressDeadlineAbort && rolloutRevision(ctx)) {
    abortRollout(ctx, PROGRESS_DEADLINE_EXCEEDED, message);
    runStrategy(ctx);
    return none;
  }
  return { exceeded: true, message };
}
