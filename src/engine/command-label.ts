import type { RolloutCommand } from "./types.js";

/** What a `set env` value reads as in the CommandReceived event. */
export const ENV_VALUE_HIDDEN = "(hidden)";

/**
 * The command as the user typed it, env values aside, for the CommandReceived event.
 *
 * @example commandLabel({ type: "undo", toRevision: 3 }) // "undo --to-revision 3"
 */
export function commandLabel(command: RolloutCommand): string {
  switch (command.type) {
    case "promoteFull":
      return "promote --full";
    case "undo":
      return command.toRevision ? `undo --to-revision ${command.toRevision}` : "undo";
    case "setEnv":
      // Values stay out: env often carries secrets, and events are readable by anyone who can list them.
      return `set env ${Object.entries(command.env)
        .map(([k, v]) => (v === null ? `${k}-` : `${k}=${ENV_VALUE_HIDDEN}`))
        .join(" ")}`;
    case "setImage":
      return `set image ${Object.entries(command.images)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")}`;
    case "setArgs":
      return `set args ${command.args.join(" ")}`;
    case "setCommand":
      return `set command ${command.command}`;
    case "openGate":
      return `gate open${command.gate ? ` --gate ${command.gate}` : ""}${command.reason ? ` --reason ${JSON.stringify(command.reason)}` : ""}`;
    default:
      return command.type;
  }
}
