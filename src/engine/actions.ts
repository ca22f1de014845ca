import type { RevisionStatus } from "../model/index.js";
import type { ReconcileContext } from "./context.js";
import { buildTraffic } from "./traffic.js";
import type { Action } from "./types.js";

/**
 * The whole desired state as actions, every reconcile, so a restarted controller converges:
 * revisions that take traffic are scaled first, then traffic is set, then the rest are scaled
 * (down), then revisions the platform still has but status no longer lists are deleted. Analysis
 * run starts and stops come last and only on the reconcile that decided them.
 */
export function buildActions(ctx: ReconcileContext): Action[] {
  const { status, spec } = ctx;
  const restartAt = spec.restartAt;
  const scale = (r: RevisionStatus): Action => {
    const restart = restartAt !== undefined && r.role !== "old" ? { restartAt } : {};
    if (r.hash === ctx.hash)
      return { type: "ensureRevision", hash: r.hash, template: spec.template, replicas: r.replicas, ...restart };
    const copy = r.role === "baseline" && status.stableRevision !== undefined ? { copyOf: status.stableRevision } : {};
    return { type: "scaleRevision", hash: r.hash, replicas: r.replicas, ...copy, ...restart };
  };
  const listed = new Set(status.revisions.map((r) => r.hash));
  return [
    ...status.revisions.filter((r) => r.weight > 0).map(scale),
    { type: "setTraffic", traffic: buildTraffic(spec, status) },
    ...status.revisions.filter((r) => r.weight === 0).map(scale),
    ...[...ctx.observed.keys()]
      .filter((hash) => !listed.has(hash))
      .sort()
      .map((hash): Action => ({ type: "deleteRevision", hash })),
    ...ctx.analysisActions,
    ...ctx.hookActions,
  ];
}
