import type { RolloutEvent } from "../engine/types.js";

/** The steps of a canary strategy that carry a `load` section, as their indexes. */
export function stepsWithLoad(spec: unknown): number[] {
  const steps = (spec as { strategy?: { canary?: { steps?: unknown } } } | undefined)?.strategy?.canary?.steps;
  if (!Array.isArray(steps)) return [];
  return steps.flatMap((step, i) =>
    (step as { analysis?: { load?: unknown } } | null)?.analysis?.load !== undefined ? [i] : [],
  );
}

/**
 * The Warning a Kubernetes controller gives a rollout whose analysis steps ask for generated load,
 * which only the local platform sends today: silence would let a user believe their low-traffic
 * canary is being exercised when it is not. Undefined when the rollout asks for none.
 */
export function loadNotGeneratedEvent(spec: unknown): RolloutEvent | undefined {
  const steps = stepsWithLoad(spec);
  if (steps.length === 0) return undefined;
  const where = steps.map((i) => `spec.strategy.canary.steps[${i}].analysis.load`).join(", ");
  return {
    type: "Warning",
    reason: "LoadNotGenerated",
    message: `${where}: generated load is sent on the local platform only; on Kubernetes run a load generator beside the canary (docs/load.md), or the analysis judges user traffic alone`,
  };
}

/**
 * Remembers which rollout generations were warned, so each change is warned about once per
 * controller process and not on every status update.
 */
export class LoadWarnings {
  private readonly warned = new Map<string, number>();

  /** The event to record for this rollout now, or undefined when there is none or it was given. */
  next(key: string, generation: number, spec: unknown): RolloutEvent | undefined {
    if (this.warned.get(key) === generation) return undefined;
    const event = loadNotGeneratedEvent(spec);
    if (event) this.warned.set(key, generation);
    else this.warned.delete(key);
    return event;
  }

  forget(key: string): void {
    this.warned.delete(key);
  }
}
