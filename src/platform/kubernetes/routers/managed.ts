import type { StringMatch } from "../../../model/strategy.js";
import type { KubeObject } from "./objects.js";
import { TrafficRoutingError } from "./port.js";

/** Routes Sluice adds to a user's object carry this prefix, so it finds (and removes) only its own after a restart. */
export const MANAGED_PREFIX = "sluice-";

/** The name a managed route carries in the user's object: `sluice-<step route name>`. */
export const managedName = (routeName: string): string => `${MANAGED_PREFIX}${routeName}`;

export const isManagedName = (name: unknown): boolean => typeof name === "string" && name.startsWith(MANAGED_PREFIX);

/** The prefix `spec.strategy.canary.trafficRouting` of every field path in error messages. */
export const ROUTING_FIELD = "spec.strategy.canary.trafficRouting";

/** Label on objects Sluice creates for a rollout (canary Ingress, TrafficSplit), and on DestinationRule subsets. */
export const ROLLOUT_LABEL = "sluice.dev/rollout";
export const HASH_LABEL = "sluice.dev/pod-template-hash";

/**
 * Sorts managed routes by their place in `trafficRouting.managedRoutes` (their precedence, as in Argo
 * Rollouts); routes not listed keep their order after the listed ones.
 */
export function byManagedOrder<T extends { name: string }>(routes: T[], order?: { name: string }[]): T[] {
  if (!order?.length) return routes;
  const rank = (r: T) => {
    const i = order.findIndex((o) => o.name === r.name);
    return i === -1 ? order.length : i;
  };
  return routes
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
    .map(({ r }) => r);
}

/** Names must be unique: two routes with one name would fight over one managed entry. */
export function assertUniqueNames(router: string, routes: { name: string }[]): void {
  const seen = new Set<string>();
  for (const r of routes) {
    if (seen.has(r.name))
      throw new TrafficRoutingError(`two routes are named "${r.name}": names must be unique`, router);
    seen.add(r.name);
  }
}

export const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");

/** A string match as one regular expression: prefixes and exact values are anchored. */
export function asRegex(m: StringMatch): string {
  if (m.regex !== undefined) return m.regex;
  if (m.prefix !== undefined) return `^${escapeRegex(m.prefix)}.*`;
  return `^${escapeRegex(m.exact ?? "")}$`;
}

/** The canary's share (0..100) of the backend weights (stable, canary and a baseline when there is one). */
export function canaryPercent(stable: number, canary: number, baseline = 0): number {
  const total = stable + canary + baseline;
  return total === 0 ? 0 : Math.round((canary * 100) / total);
}

/** Clamps and checks a weight before any object is touched. */
export function checkWeight(router: string, weight: number): number {
  if (!Number.isFinite(weight) || weight < 0 || weight > 100)
    throw new TrafficRoutingError(`canary weight ${weight} is outside 0..100`, router);
  return Math.round(weight);
}

/** Checks the canary's and the baseline's weights together: each in 0..100, and both fit beside stable. */
export function checkWeights(router: string, canary: number, baseline = 0): { canary: number; baseline: number } {
  const c = checkWeight(router, canary);
  if (!Number.isFinite(baseline) || baseline < 0 || baseline > 100)
    throw new TrafficRoutingError(`baseline weight ${baseline} is outside 0..100`, router);
  const b = Math.round(baseline);
  if (c + b > 100)
    throw new TrafficRoutingError(`canary weight ${c} and baseline weight ${b} add up to more than 100`, router);
  return { canary: c, baseline: b };
}

/** The rollout that owns an object Sluice creates; with a uid, deleting the rollout deletes the object too. */
export interface Owner {
  name: string;
  uid?: string;
}

/** Labels and owner references of an object Sluice creates for `owner`. */
export function ownedMetadata(owner: Owner): { labels: Record<string, string>; ownerReferences?: unknown[] } {
  const labels = { [ROLLOUT_LABEL]: owner.name, "app.kubernetes.io/managed-by": "sluice" };
  if (!owner.uid) return { labels };
  return {
    labels,
    ownerReferences: [
      { apiVersion: "sluice.dev/v1alpha1", kind: "Rollout", name: owner.name, uid: owner.uid, controller: true },
    ],
  };
}

/** Refuses to take over an object Sluice did not create for this rollout (a name clash with a user's object). */
export function checkOwned(router: string, existing: KubeObject | undefined, owner: Owner, where: string): void {
  if (existing && existing.metadata.labels?.[ROLLOUT_LABEL] !== owner.name)
    throw new TrafficRoutingError(
      `${where} exists but Sluice did not create it for rollout "${owner.name}" (no ${ROLLOUT_LABEL}=${owner.name} label): rename or delete it`,
      router,
    );
}
