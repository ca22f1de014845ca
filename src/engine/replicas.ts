import type { CanaryStep, IntOrPercent } from "../model/index.js";

type SetCanaryScale = Extract<CanaryStep, { setCanaryScale: unknown }>["setCanaryScale"];

/** Resolves `3` or `"25%"` against a total, rounding percentages up or down as Kubernetes does. */
export function resolveIntOrPercent(value: IntOrPercent, total: number, roundUp: boolean): number {
  if (typeof value === "number") return value;
  const exact = (Number.parseInt(value, 10) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/**
 * Canary replicas for a weight: ceil(replicas × weight / 100), at least 1 while the canary takes
 * traffic, unless a setCanaryScale step says otherwise.
 */
export function canaryReplicas(specReplicas: number, weight: number, scale?: SetCanaryScale): number {
  if (scale?.replicas !== undefined) return scale.replicas;
  const w = scale?.weight ?? weight;
  if (w <= 0 || specReplicas === 0) return 0;
  return Math.max(1, Math.ceil((specReplicas * w) / 100));
}

/** What a rolling-update step needs to know. Counts of the old revision come from both status and platform. */
export interface RollingInput {
  replicas: number;
  maxSurge: IntOrPercent;
  maxUnavailable: IntOrPercent;
  /** Desired replicas of the new revision so far (it never shrinks during the update). */
  newDesired: number;
  newReady: number;
  /** Desired replicas of the old revision so far (it never grows during the update). */
  oldDesired: number;
  /** Old replicas that still exist (a scale-down may not have happened yet). */
  oldExisting: number;
  oldReady: number;
}

export interface RollingTargets {
  newReplicas: number;
  oldReplicas: number;
  /** The new revision's share of traffic: its share of the ready replicas. */
  newWeight: number;
  done: boolean;
}

/**
 * One step of a Kubernetes-style rolling update. The new revision grows while old + new stays
 * within replicas + maxSurge; the old one shrinks while ready replicas stay at or above
 * replicas − maxUnavailable. Both depend only on what the platform reports and the previous
 * targets (monotonic), so calling it again with the same input gives the same answer.
 */
export function rollingUpdateTargets(input: RollingInput): RollingTargets {
  const n = input.replicas;
  let surge = resolveIntOrPercent(input.maxSurge, n, true);
  const unavailable = resolveIntOrPercent(input.maxUnavailable, n, false);
  // Both zero would deadlock; Kubernetes rejects it, we allow one extra replica instead.
  if (surge === 0 && unavailable === 0) surge = 1;
  const oldCount = Math.max(input.oldExisting, input.oldDesired);
  const newReplicas = Math.min(n, Math.max(input.newDesired, n + surge - oldCount, 0));
  const newReady = Math.min(input.newReady, newReplicas);
  const minAvailable = Math.max(0, n - unavailable);
  const oldReplicas = Math.max(0, Math.min(input.oldDesired, minAvailable - newReady));
  const servingReady = newReady + input.oldReady;
  const newWeight = servingReady === 0 ? 0 : Math.round((100 * newReady) / servingReady);
  return { newReplicas, oldReplicas, newWeight, done: newReady >= n && oldReplicas === 0 };
}
