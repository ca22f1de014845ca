import { child, isObj, list } from "./fields.js";
import type { Notes } from "./notes.js";

// The load tester's own load generators; a command starting with one of them generates load.
const LOAD_GENERATOR = /^\s*(?:\S*\/)?(hey|fortio|k6|wrk|ghz|vegeta|locust|ab)(\s|$)/;

/** Webhook types that gate or hook a release step; Sluice has no lifecycle hooks or external gates yet. */
const GATES: Record<string, string> = {
  "confirm-rollout": "an approval gate before the rollout starts",
  "confirm-traffic-increase": "an approval gate before each weight increase",
  "confirm-promotion": "an approval gate before promotion",
  "pre-rollout": "a check before traffic is shifted",
  rollout: "a check during the analysis",
  "post-rollout": "a hook after promotion or rollback",
  rollback: "a rollback trigger during the analysis",
};

/**
 * Sorts a Canary's webhooks by `type` (Flagger's default is `rollout`), never by URL: a webhook
 * on the load tester may just as well run an acceptance test or hold an approval gate.
 * A `rollout` webhook whose command is a load generator is dropped with a warning (Sluice does not
 * generate load); `event` webhooks only notify. Every other one is a check or gate Sluice cannot
 * express, so it refuses the Canary unless `--drop-unsupported`. Returns whether a dropped
 * `confirm-promotion` gate should become a pause before promotion (a person approves instead).
 */
export function flaggerWebhooks(raw: unknown, path: string, notes: Notes): boolean {
  let confirm = false;
  list(raw, path, notes).forEach((w, i) => {
    const at = child(path, i);
    const hook = isObj(w) ? w : {};
    const name = typeof hook.name === "string" ? hook.name : `#${i}`;
    const type = typeof hook.type === "string" && hook.type !== "" ? hook.type : "rollout";
    const meta = isObj(hook.metadata) ? hook.metadata : {};
    const cmd = typeof meta.cmd === "string" ? meta.cmd : "";
    if (type === "rollout" && LOAD_GENERATOR.test(cmd)) {
      notes.warn(
        at,
        `load-test webhook "${name}": Sluice does not generate load; run your load generator yourself; dropped`,
      );
      return;
    }
    if (type === "event") {
      notes.warn(at, `event webhook "${name}": use spec.notifications to be told of rollout events; dropped`);
      return;
    }
    const what = GATES[type] ?? "a webhook type Sluice does not know";
    const pause = type === "confirm-promotion" && notes.dropUnsupported;
    notes.unsupported(
      at,
      `${type} webhook "${name}" is ${what}, and Sluice cannot call webhooks yet${pause ? " (a pause before promotion stands in: approve with sluice promote)" : ""}`,
    );
    if (pause) confirm = true;
  });
  return confirm;
}
