import type { Action, Observation } from "../engine/types.js";
import type { Rollout } from "../model/index.js";

/**
 * What a platform (local processes, Kubernetes) does for the controller: report what exists and
 * carry out the engine's actions. Both methods are level-based and safe to call repeatedly.
 */
export interface Platform {
  /** The current state of every revision of this rollout. */
  observe(rollout: Rollout): Promise<Observation>;
  /** Carries out actions in order. Throws a {@link PlatformError} when it cannot; the controller retries. */
  apply(rollout: Rollout, actions: Action[]): Promise<void>;
  /**
   * Problems that make a rollout impossible on this platform, found at apply time so nothing is
   * stored (a Kubernetes pod template on the local platform, say). Empty when it can run.
   */
  admit?(rollout: Rollout): { path: string; message: string }[];
  /** Stops every revision of a deleted rollout and removes its routes. */
  remove(rollout: Rollout): Promise<void>;
}

/** An action the platform could not carry out, with the cause. */
export class PlatformError extends Error {
  override readonly name = "PlatformError";
  constructor(
    message: string,
    readonly action?: Action,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
