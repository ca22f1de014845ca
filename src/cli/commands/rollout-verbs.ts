// Apart from the commands that use them so the CLI can list the verbs without loading the engine.

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
