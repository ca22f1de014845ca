import type { ApiClient } from "../../api/client.js";
import { OUTCOME_HEADER } from "../../api/command-outcome.js";
import type { Rollout } from "../../model/index.js";
import type { Output } from "../output.js";
import { ROLLOUT_VERBS, type RolloutVerb } from "./rollout-verbs.js";

export { ROLLOUT_VERBS, type RolloutVerb };

/** What a rollout command changes: a simple verb, `undo`, or one `set` (env, args or command). */
export type RolloutChange = RolloutVerb | "undo" | "set env" | "set args" | "set command" | "set image";

const phaseLine = (r: Rollout) =>
  `${r.status?.phase ?? "Progressing"}${r.status?.message ? ` — ${r.status.message}` : ""}`;

/**
 * The line printed when the controller answered that a command changed nothing (the engine
 * ignores commands that mean nothing in the rollout's state). It says where the rollout stands
 * and, where there is one, which command would do what the user seems to want.
 */
export function nothingToDo(change: RolloutChange, name: string, r: Rollout): string {
  const phase = r.status?.phase ?? "Progressing";
  const rollout = `rollout "${name}"`;
  switch (change) {
    case "promote":
    case "promote-full":
      return `${rollout} is ${phase}; nothing to promote`;
    case "abort":
      return r.status?.abort
        ? `${rollout} is already aborted; nothing to abort`
        : `${rollout} is ${phase} with no release in progress; nothing to abort`;
    case "retry":
      return `${rollout} is not aborted; nothing to retry`;
    case "pause":
      return `${rollout} is already paused; nothing to pause`;
    case "resume":
      return phase === "Paused"
        ? `${rollout} was not paused with \`sluice pause\`; nothing to resume (it waits at a step: \`sluice promote ${name}\` continues it)`
        : `${rollout} is not paused; nothing to resume`;
    case "undo":
      return `${rollout} already has the template of that revision; nothing to undo`;
    default:
      return `${rollout} ${change.slice("set ".length)} unchanged; no new revision`;
  }
}

/**
 * Sends one rollout command and prints what happened: where the rollout now stands, or, when the
 * controller reports that nothing changed, why. Either way the command succeeded (exit 0).
 */
export async function rolloutChangeCommand(
  api: ApiClient,
  change: RolloutChange,
  name: string,
  body: unknown,
  out: Output,
  done: (rollout: Rollout) => string,
): Promise<{ rollout: Rollout; changed: boolean }> {
  const path = change.startsWith("set ")
    ? "set"
    : change === "undo"
      ? "undo"
      : ROLLOUT_VERBS[change as RolloutVerb].path;
  const { data: rollout, headers } = await api.postWithHeaders<Rollout>(`/rollouts/${name}/${path}`, body ?? {});
  // An older controller sends no outcome: then it is reported as a change, as before.
  const changed = headers.get(OUTCOME_HEADER) !== "unchanged";
  out.log(changed ? done(rollout) : nothingToDo(change, name, rollout));
  return { rollout, changed };
}

/** Runs one verb on a rollout and prints where it now stands. */
export async function rolloutActionCommand(
  api: ApiClient,
  verb: RolloutVerb,
  name: string,
  body: unknown,
  out: Output,
): Promise<Rollout> {
  const { rollout } = await rolloutChangeCommand(
    api,
    verb,
    name,
    body,
    out,
    (r) => `rollout "${name}" ${ROLLOUT_VERBS[verb].done}: ${phaseLine(r)}`,
  );
  return rollout;
}
