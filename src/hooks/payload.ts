import type { HookType, Rollout } from "../model/index.js";

/**
 * The JSON body a webhook hook receives (and a command hook reads from `SLUICE_HOOK_PAYLOAD`).
 * Flagger's field names (`name`, `namespace`, `phase`, `checksum`, `type`, `metadata`) are kept so a
 * Flagger webhook service works unchanged; the rest is Sluice's. Documented in docs/hooks.md.
 */
export interface HookPayload {
  /** The rollout's name (Flagger: the canary's). */
  name: string;
  namespace: string;
  /** Flagger's webhook type, which is the hook's `type`. */
  type: HookType;
  /** The hook's own name. */
  hook: string;
  /** The rollout's phase when the hook was called (Progressing, Paused, Healthy, Degraded). */
  phase: string;
  /** The revision hash being rolled out. */
  revision: string;
  /** Same as `revision`: Flagger identifies a canary spec by its checksum. */
  checksum: string;
  /** Zero-based index of the step the hook sits before, when it sits before one. */
  step?: number;
  /** The canary's weight (percent) when the hook was called. */
  weight: number;
  /** Which try of this hook for this revision (1, 2, ...); retries inside a try do not count. */
  attempt?: number;
  /** For `event` hooks: the event's reason and message. */
  event?: { reason: string; message: string; type: string };
  metadata: Record<string, string>;
}

/** Builds the payload for one call; pure. */
export function hookPayload(
  rollout: Rollout,
  hook: { name: string; type: HookType; metadata?: Record<string, string> | undefined },
  at: { revision: string; weight: number; step?: number; attempt?: number },
  event?: HookPayload["event"],
): HookPayload {
  return {
    name: rollout.metadata.name,
    namespace: rollout.metadata.namespace ?? "default",
    type: hook.type,
    hook: hook.name,
    phase: rollout.status?.phase ?? "Progressing",
    revision: at.revision,
    checksum: at.revision,
    ...(at.step === undefined ? {} : { step: at.step }),
    weight: at.weight,
    ...(at.attempt === undefined ? {} : { attempt: at.attempt }),
    ...(event ? { event } : {}),
    metadata: { ...(hook.metadata ?? {}) },
  };
}
