import type { RolloutSpec, RolloutStatus } from "../model/index.js";
import { routesAt } from "./steps.js";
import type { TrafficSpec } from "./types.js";

/**
 * The full traffic the engine wants, from status: each revision's weight (summing to 100, any
 * rounding gap goes to stable), the header and mirror routes of the steps taken so far (none
 * once steps are over or the rollout is aborted), the preview revision and sticky sessions.
 */
export function buildTraffic(spec: RolloutSpec, status: RolloutStatus): TrafficSpec {
  const weights: Record<string, number> = {};
  for (const r of status.revisions) weights[r.hash] = r.weight;
  const stable = status.stableRevision;
  const sum = Object.values(weights).reduce((a, b) => a + b, 0);
  if (stable !== undefined && sum !== 100) weights[stable] = Math.max(0, (weights[stable] ?? 0) + 100 - sum);

  const rollout = status.revisions.find((r) => r.role === "canary" || r.role === "preview");
  const { canary, blueGreen } = spec.strategy;
  const index = status.currentStepIndex ?? 0;
  const skipping = status.promoteFull || status.fastRollback;
  const routes =
    canary && rollout && !status.abort && !skipping && index < canary.steps.length
      ? routesAt(canary.steps, index, rollout.hash)
      : { headerRoutes: [], mirrorRoutes: [] };

  const traffic: TrafficSpec = { weights, ...routes };
  if (blueGreen) {
    const preview = rollout?.hash ?? stable;
    if (preview !== undefined) traffic.preview = preview;
  }
  if (canary?.stickySession) traffic.stickySession = { ...canary.stickySession };
  return traffic;
}
