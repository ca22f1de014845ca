import type { RouteRefusal, RouterConfig } from "./router/config.js";

/**
 * What the router refused, per rollout, and the weights it last accepted for each, so a refused
 * rollout's status can say what is really served instead of the weights the engine asked for.
 */
export class RouteRefusals {
  private readonly refused = new Map<string, RouteRefusal>();
  private readonly accepted = new Map<string, Record<string, number>>();

  /** @param served the router's config when the controller started: all of it was accepted. */
  constructor(served?: RouterConfig) {
    for (const r of served?.rollouts ?? []) this.accepted.set(r.rollout, r.traffic.weights);
  }

  /**
   * Records the router's answer to `sent`. Returns the rollouts whose refusal began, changed or
   * ended (their status must be looked at again) and the refusals that are new (worth one log line).
   */
  record(sent: RouterConfig, refused: readonly RouteRefusal[]): { changed: string[]; fresh: RouteRefusal[] } {
    const now = new Map(refused.map((r) => [r.rollout, r]));
    const changed: string[] = [];
    const fresh: RouteRefusal[] = [];
    for (const route of sent.rollouts) {
      const name = route.rollout;
      const before = this.refused.get(name);
      const after = now.get(name);
      if (after) {
        this.refused.set(name, after);
        if (!before || before.path !== after.path || before.message !== after.message) {
          changed.push(name);
          fresh.push(after);
        }
      } else {
        this.refused.delete(name);
        this.accepted.set(name, route.traffic.weights);
        if (before) changed.push(name);
      }
    }
    return { changed, fresh };
  }

  /** Why the router does not serve this rollout's route as sent, and what it serves instead; undefined when it does. */
  trafficError(rollout: string): string | undefined {
    const r = this.refused.get(rollout);
    if (!r) return undefined;
    const weights = this.accepted.get(rollout);
    const serving = weights
      ? `it keeps serving the last route it accepted (${describeWeights(weights)})`
      : "it serves no route for this rollout until one is accepted";
    return `the router refused this rollout's route, ${r.path ? `${r.path}: ` : ""}${r.message}; ${serving}; fix the rollout's spec and apply it again`;
  }

  /** Forgets a rollout that was removed. */
  forget(rollout: string): void {
    this.refused.delete(rollout);
    this.accepted.delete(rollout);
  }
}

function describeWeights(weights: Record<string, number>): string {
  const parts = Object.entries(weights)
    .filter(([, w]) => w > 0)
    .map(([rev, w]) => `${rev} ${Math.round(w * 10) / 10}%`);
  return parts.length > 0 ? parts.join(", ") : "no weight on any revision";
}
