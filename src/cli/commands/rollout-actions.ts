import type { ApiClient } from "../../api/client.js";
import type { Rollout } from "../../model/index.js";
import type { Output } from "../output.js";

/** The verbs that act on a rollout with no arguments, and what each tells the user it did. */
export const ROLLOUT_VERBS = {
  promote: { path: "promote", done: "promoted", help: "skip the current step or pause" },
  "promote-full": { path: "promote-full", done: "fully promoted", help: "skip every remaining step and analysis" },
  abort: { path: "abort", done: "aborted", help: "send all traffic back to stable and scale the canary down" },
  retry: { path: "retry", done: "retried", help: "start an aborted rollout again from the first step" },
  pause: { path: "pause", done: "paused", help: "hold the rollout where it is" },
  resume: { path: "resume", done: "resumed", help: "continue a paused rollout" },
  restart: { path: "restart", done: "restarted", help: "replace every replica of the current revisions" },
} as const;
export type RolloutVerb = keyof typeof ROLLOUT_VERBS;

/** Runs one verb on a rollout and prints where it now stands. */
export async function rolloutActionCommand(
  api: ApiClient,
  verb: RolloutVerb,
  name: string,
  body: unknown,
  out: Output,
): Promise<Rollout> {
  const rollout = await api.post<Rollout>(`/rollouts/${name}/${ROLLOUT_VERBS[verb].path}`, body ?? {});
  out.log(
    `rollout "${name}" ${ROLLOUT_VERBS[verb].done}: ${rollout.status?.phase ?? "Progressing"}${rollout.status?.message ? ` — ${rollout.status.message}` : ""}`,
  );
  return rollout;
}
