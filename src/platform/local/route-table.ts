import type { TrafficSpec } from "../../engine/types.js";
import type { RolloutRoute, RouterBackend } from "./router/config.js";

/** What the local platform knows about one rollout when it builds the router's view of it. */
export interface RouteInput {
  rollout: string;
  traffic: TrafficSpec;
  backends: RouterBackend[];
  previewListen?: string;
}

/**
 * Builds the router's routes. Weight the engine gives to a revision with no ready endpoint goes to
 * the revisions that have one, in proportion: a request is never sent where nobody can answer it.
 * With only one rollout, it is the default route, so plain `curl 127.0.0.1:8080/` reaches it.
 */
export function buildRoutes(inputs: RouteInput[]): RolloutRoute[] {
  return inputs.map((input) => ({
    rollout: input.rollout,
    hosts: [input.rollout, `${input.rollout}.localhost`],
    default: inputs.length === 1,
    backends: input.backends,
    traffic: { ...input.traffic, weights: servableWeights(input.traffic.weights, input.backends) },
    ...(input.previewListen ? { previewListen: input.previewListen } : {}),
  }));
}

/** Moves weight off revisions with no endpoints; keeps the engine's split when every revision can serve. */
export function servableWeights(weights: Record<string, number>, backends: RouterBackend[]): Record<string, number> {
  const servable = new Set(backends.filter((b) => b.endpoints.length > 0).map((b) => b.revision));
  const entries = Object.entries(weights);
  const kept = entries.filter(([rev, w]) => w > 0 && servable.has(rev));
  const keptTotal = kept.reduce((sum, [, w]) => sum + w, 0);
  const lost = entries.some(([rev, w]) => w > 0 && !servable.has(rev));
  if (!lost) return { ...weights };
  const out: Record<string, number> = {};
  for (const [rev] of entries) out[rev] = 0;
  if (keptTotal === 0) {
    // Nothing the engine wants can serve: fall back to whatever can, evenly, rather than fail every request.
    const any = [...servable];
    for (const rev of any) out[rev] = 100 / any.length;
    return out;
  }
  for (const [rev, w] of kept) out[rev] = (w / keptTotal) * 100;
  return out;
}
