import type { RevisionStatus } from "../model/index.js";
import { emit, isReady, label, type ReconcileContext, readyOf, stableRevision } from "./context.js";

/**
 * What a baseline revision's key ends with. A baseline runs the stable revision's template, so it
 * has the stable revision's hash; the suffix keeps its replicas, routes and telemetry apart.
 */
export const BASELINE_SUFFIX = "-baseline";

/** The key of the baseline copy of stable revision `stable`: `<stable hash>-baseline`. */
export function baselineKey(stable: string): string {
  return `${stable}${BASELINE_SUFFIX}`;
}

/** Whether the rollout's canary strategy asks for a baseline revision. */
export function wantsBaseline(ctx: ReconcileContext): boolean {
  return ctx.spec.strategy.canary?.baseline === true;
}

/** The baseline revision's entry in status, if one runs. */
export function baselineRevision(ctx: ReconcileContext): RevisionStatus | undefined {
  return ctx.status.revisions.find((r) => r.role === "baseline");
}

/**
 * The revision analysis compares the canary with: the baseline when the strategy runs one (named
 * before its entry exists, so a run started early still reads it), else none (the stable revision).
 */
export function comparedBaseline(ctx: ReconcileContext): string | undefined {
  const stable = ctx.status.stableRevision;
  return wantsBaseline(ctx) && stable !== undefined ? baselineKey(stable) : undefined;
}

/**
 * Sets the canary's weight; with a baseline on, the baseline takes the same weight and the same
 * number of replicas (created on first use), and stable keeps the rest: 100 - 2 x weight.
 */
export function splitWeight(ctx: ReconcileContext, canary: RevisionStatus, weight: number): void {
  const stable = stableRevision(ctx);
  canary.weight = weight;
  if (!wantsBaseline(ctx)) {
    stable.weight = 100 - weight;
    return;
  }
  const baseline = ensureBaseline(ctx, stable);
  baseline.replicas = canary.replicas;
  baseline.weight = weight;
  stable.weight = 100 - 2 * weight;
}

function ensureBaseline(ctx: ReconcileContext, stable: RevisionStatus): RevisionStatus {
  const key = baselineKey(stable.hash);
  const found = ctx.status.revisions.find((r) => r.role === "baseline" && r.hash === key);
  if (found) return found;
  // A baseline of an earlier stable revision is stale: one baseline at a time.
  ctx.status.revisions = ctx.status.revisions.filter((r) => r.role !== "baseline");
  const baseline: RevisionStatus = { hash: key, number: stable.number, role: "baseline", replicas: 0, weight: 0 };
  ctx.status.revisions.push(baseline);
  emit(ctx, "BaselineStarted", `baseline of stable ${label(stable)} started as ${key}`);
  return baseline;
}

/**
 * Before the canary takes traffic the baseline must be able to take the same share: while no
 * baseline replica is ready, both are held at zero weight and the step waits. Returns true when
 * the step must wait.
 */
export function waitForBaseline(ctx: ReconcileContext, canary: RevisionStatus): boolean {
  const baseline = baselineRevision(ctx);
  if (!baseline || baseline.replicas === 0 || isReady(ctx, baseline.hash, baseline.replicas)) return false;
  if (readyOf(ctx, baseline.hash) === 0) splitWeight(ctx, canary, 0);
  ctx.waitingForReadiness = true;
  const ready = `${readyOf(ctx, baseline.hash)}/${baseline.replicas} ready`;
  // A baseline that cannot run never lets the canary be judged: say why, and what a person can do.
  const seen = ctx.observed.get(baseline.hash);
  const failure = seen?.crashLooping?.message ?? seen?.neverReady?.message;
  ctx.message =
    failure === undefined
      ? `waiting for baseline ${baseline.hash}, ${ready}, before the canary takes its share`
      : `baseline ${baseline.hash} is not running (${failure}), ${ready}; the canary waits for it: fix the stable template, or turn baseline off, or abort`;
  return true;
}

/** Removes the baseline revision (promotion, abort, no rollout in progress); the platform deletes its replicas. */
export function dropBaseline(ctx: ReconcileContext): void {
  const baseline = baselineRevision(ctx);
  if (!baseline) return;
  ctx.status.revisions = ctx.status.revisions.filter((r) => r !== baseline);
  const stable = ctx.status.revisions.find((r) => r.hash === ctx.status.stableRevision);
  if (stable && baseline.weight > 0) stable.weight += baseline.weight;
  emit(ctx, "BaselineRemoved", `baseline ${baseline.hash} removed`);
}
