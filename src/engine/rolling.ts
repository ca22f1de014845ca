import type { CanaryStrategy, RevisionStatus } from "../model/index.js";
import { hasPause, label, type ReconcileContext, readyOf, stableRevision } from "./context.js";
import { rollingUpdateTargets } from "./replicas.js";
import { completeRollout } from "./revisions.js";

/**
 * A canary with no steps: replace the stable revision's replicas with the new revision's,
 * within maxSurge and maxUnavailable, with traffic following the ready replicas.
 */
export function rollingUpdate(ctx: ReconcileContext, strategy: CanaryStrategy, revision: RevisionStatus): void {
  const stable = stableRevision(ctx);
  if (hasPause(ctx)) {
    ctx.message = `rolling update to ${label(revision)} paused`;
    return;
  }
  const target = rollingUpdateTargets({
    replicas: ctx.spec.replicas,
    maxSurge: strategy.maxSurge,
    maxUnavailable: strategy.maxUnavailable,
    newDesired: revision.replicas,
    newReady: readyOf(ctx, revision.hash),
    oldDesired: stable.replicas,
    oldExisting: ctx.observed.get(stable.hash)?.replicas ?? 0,
    oldReady: readyOf(ctx, stable.hash),
  });
  revision.replicas = target.newReplicas;
  stable.replicas = target.oldReplicas;
  revision.weight = target.newWeight;
  stable.weight = 100 - target.newWeight;
  if (target.done) {
    completeRollout(ctx, revision, 0);
    return;
  }
  ctx.waitingForReadiness = true;
  ctx.message =
    `rolling update to ${label(revision)}: ${readyOf(ctx, revision.hash)}/${ctx.spec.replicas} ready, ` +
    `${readyOf(ctx, stable.hash)} old ready`;
}
