import type { Condition, RolloutPhase } from "../model/index.js";
import { emit, label, type ReconcileContext, readyOf, rolloutRevision, stableRevision } from "./context.js";

/**
 * Sets a condition. lastTransitionTime changes only when `status` does, so reconciling the same
 * state twice leaves conditions as they were.
 */
export function setCondition(
  conditions: readonly Condition[],
  type: string,
  status: Condition["status"],
  reason: string,
  message: string,
  nowIso: string,
): Condition[] {
  const existing = conditions.find((c) => c.type === type);
  const lastTransitionTime = existing && existing.status === status ? existing.lastTransitionTime : nowIso;
  const next: Condition = { type, status, reason, message, lastTransitionTime };
  return existing ? conditions.map((c) => (c === existing ? next : c)) : [...conditions, next];
}

export function getCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** The condition reason and message while the progress deadline is exceeded. */
export const PROGRESS_DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";

/** The Progressing reason while the traffic router refuses the rollout's route as specified. */
export const TRAFFIC_ROUTE_REFUSED = "TrafficRouteRefused";

/**
 * Derives phase, message and conditions (Progressing, Available, Paused, Healthy, Completed) from
 * the status the strategy left, and emits RolloutCompleted when Completed turns True.
 */
export function finishStatus(ctx: ReconcileContext, deadline: { exceeded: boolean; message: string }): void {
  const s = ctx.status;
  const stable = stableRevision(ctx);
  const inProgress = rolloutRevision(ctx) !== undefined;
  const stableReady = readyOf(ctx, stable.hash);
  const prevProgressing = getCondition(ctx.previous?.conditions, "Progressing");
  // A route the router refuses will not start working by waiting: Degraded, so `sluice status` fails.
  const refused = ctx.observation.trafficError?.refused ? ctx.observation.trafficError.message : undefined;

  let progressing: [Condition["status"], string, string];
  if (s.abort) {
    const kept = prevProgressing?.status === "False" ? prevProgressing : undefined;
    const reason = ctx.abortedNow?.reason ?? kept?.reason ?? "RolloutAborted";
    const message = ctx.abortedNow?.message ?? kept?.message ?? "aborted";
    progressing = ["False", reason, message];
  } else if (deadline.exceeded) progressing = ["False", PROGRESS_DEADLINE_EXCEEDED, deadline.message];
  else if (refused) {
    progressing = ["False", TRAFFIC_ROUTE_REFUSED, refused];
    // In progress, the TrafficRoutingError pause already recorded the event.
    if (
      prevProgressing?.reason !== TRAFFIC_ROUTE_REFUSED &&
      !s.pauseConditions.some((p) => p.reason === "TrafficRoutingError")
    )
      emit(ctx, TRAFFIC_ROUTE_REFUSED, refused, "Warning");
  } else if (s.pauseConditions.length > 0) progressing = ["True", "RolloutPaused", ctx.message ?? "paused"];
  else if (!inProgress && stableReady >= ctx.spec.replicas)
    progressing = ["True", "RevisionAvailable", `${label(stable)} is stable`];
  else progressing = ["True", "RevisionProgressing", ctx.message ?? "progressing"];

  const healthy =
    !s.abort &&
    !deadline.exceeded &&
    !refused &&
    s.pauseConditions.length === 0 &&
    !inProgress &&
    stableReady >= ctx.spec.replicas;
  const phase: RolloutPhase =
    s.abort || deadline.exceeded || refused
      ? "Degraded"
      : s.pauseConditions.length > 0
        ? "Paused"
        : healthy
          ? "Healthy"
          : "Progressing";

  const serving = s.revisions.filter((r) => r.weight > 0).reduce((sum, r) => sum + readyOf(ctx, r.hash), 0);
  const wasCompleted = !ctx.newRevision && getCondition(ctx.previous?.conditions, "Completed")?.status === "True";
  const completed = !inProgress && (wasCompleted || stableReady >= ctx.spec.replicas);
  if (completed && !wasCompleted)
    emit(
      ctx,
      "RolloutCompleted",
      `${label(stable)} is stable: ${stableReady}/${ctx.spec.replicas} ready, 100% of traffic`,
    );

  let c = s.conditions;
  c = setCondition(c, "Progressing", ...progressing, ctx.nowIso);
  c = setCondition(
    c,
    "Available",
    serving >= ctx.spec.replicas ? "True" : "False",
    serving >= ctx.spec.replicas ? "AvailableReplicas" : "MinimumReplicasUnavailable",
    `${serving}/${ctx.spec.replicas} serving replicas ready`,
    ctx.nowIso,
  );
  const pause = s.pauseConditions[0];
  c = setCondition(
    c,
    "Paused",
    pause ? "True" : "False",
    pause ? pause.reason : "NotPaused",
    pause ? (ctx.message ?? "paused") : "not paused",
    ctx.nowIso,
  );
  c = setCondition(
    c,
    "Healthy",
    healthy ? "True" : "False",
    phase,
    healthy ? `${label(stable)} is healthy` : phase,
    ctx.nowIso,
  );
  c = setCondition(
    c,
    "Completed",
    completed ? "True" : "False",
    completed ? "RolloutCompleted" : inProgress ? "RolloutInProgress" : "WaitingForReplicas",
    completed ? `${label(stable)} fully rolled out` : (ctx.message ?? "in progress"),
    ctx.nowIso,
  );
  s.conditions = c;
  s.phase = phase;
  s.message =
    phase === "Degraded"
      ? `${progressing[1]}: ${progressing[2]}`
      : phase === "Healthy"
        ? `${label(stable)} is stable: ${stableReady}/${ctx.spec.replicas} ready`
        : (ctx.message ?? progressing[2]);
}
