import type { RolloutCommand } from "./types.js";

/**
 * The command as the user typed it, for the CommandReceived event.
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
      return `set env ${Object.entries(command.env)
        .map(([k, v]) => (v === null ? `${k}-` : `${k}=${v}`))
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
