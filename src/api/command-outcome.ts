import { isDeepStrictEqual } from "node:util";
import { applyCommand } from "../engine/commands.js";
import type { RolloutCommand } from "../engine/types.js";
import type { Rollout } from "../model/index.js";

/** The response header that tells whether a rollout action changed anything. */
export const OUTCOME_HEADER = "Sluice-Command-Outcome";

/**
 * `changed`, or `unchanged` when the command meant nothing in the rollout's state (promote with no
 * release in progress, resume when not paused, abort when already aborted...).
 */
export type CommandOutcome = "changed" | "unchanged";

/**
 * Whether `command` changes `before`. The engine returns a rollout unchanged for a command that
 * means nothing in its state, so running its pure `applyCommand` on the state the controller is
 * about to act on says so exactly. `undo` needs the stored templates, which the API does not see:
 * it is judged afterwards, by whether the template changed (`after`).
 */
export function commandOutcome(
  before: Rollout,
  command: RolloutCommand,
  after: Rollout,
  now: Date = new Date(),
): CommandOutcome {
  if (command.type === "undo")
    return isDeepStrictEqual(before.spec.template, after.spec.template) ? "unchanged" : "changed";
  return isDeepStrictEqual(applyCommand(before, command, now), before) ? "unchanged" : "changed";
}
