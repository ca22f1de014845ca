import type { RolloutCommand } from "../engine/types.js";
import { MAX_LIST } from "../model/limits.js";
import { ApiError } from "./errors.js";

/** Verbs that take no body, by URL segment. */
const SIMPLE: Record<string, RolloutCommand> = {
  promote: { type: "promote" },
  "promote-full": { type: "promoteFull" },
  abort: { type: "abort" },
  retry: { type: "retry" },
  pause: { type: "pause" },
  resume: { type: "resume" },
  restart: { type: "restart" },
};

/** Every verb `POST /rollouts/:name/:verb` accepts. */
export const ROLLOUT_VERBS = [...Object.keys(SIMPLE), "undo", "set"] as const;

/**
 * Turns a verb and its JSON body into a rollout command. Throws NotFound for an unknown verb and
 * Invalid, with the field path, for a body that does not fit it.
 */
export function parseCommand(verb: string, body: unknown): RolloutCommand {
  const simple = SIMPLE[verb];
  if (simple) return simple;
  if (verb === "undo") return parseUndo(asObject(body));
  if (verb === "set") return parseSet(asObject(body));
  throw new ApiError("NotFound", `unknown rollout action "${verb}"; use one of ${ROLLOUT_VERBS.join(", ")}`);
}

function asObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== "object" || Array.isArray(body))
    throw new ApiError("Invalid", "the request body must be a JSON object");
  return body as Record<string, unknown>;
}

function parseUndo(body: Record<string, unknown>): RolloutCommand {
  const to = body.toRevision;
  if (to === undefined || to === null) return { type: "undo" };
  if (typeof to !== "number" || !Number.isInteger(to) || to < 1)
    throw new ApiError("Invalid", "toRevision must be a revision number (a positive integer)", { path: "toRevision" });
  return { type: "undo", toRevision: to };
}

/**
 * `set` changes one thing per call (env, args, command with its args, or images), because each change is
 * a new revision: two changes in one call would roll out an intermediate revision nobody asked for.
 */
function parseSet(body: Record<string, unknown>): RolloutCommand {
  const { env, args, command, image } = body;
  const unknown = Object.keys(body).find((k) => !["env", "args", "command", "image"].includes(k));
  if (unknown !== undefined)
    throw new ApiError("Invalid", `unknown field "${unknown}"; set takes env, args, command or image`, {
      path: unknown,
    });
  if (image !== undefined) {
    const other = ["env", "args", "command"].find((k) => body[k] !== undefined);
    if (other !== undefined)
      throw new ApiError("Invalid", `set image and ${other} in separate calls: each is a new revision`, {
        path: other,
      });
    return { type: "setImage", images: imageMap(image) };
  }
  const parsedArgs = args === undefined ? undefined : stringArray(args);
  if (command !== undefined) {
    if (typeof command !== "string" || command === "")
      throw new ApiError("Invalid", "command must be a non-empty string", { path: "command" });
    if (env !== undefined)
      throw new ApiError("Invalid", "set env and command in separate calls: each is a new revision", { path: "env" });
    return parsedArgs === undefined
      ? { type: "setCommand", command }
      : { type: "setCommand", command, args: parsedArgs };
  }
  if (parsedArgs !== undefined) {
    if (env !== undefined)
      throw new ApiError("Invalid", "set env and args in separate calls: each is a new revision", { path: "env" });
    return { type: "setArgs", args: parsedArgs };
  }
  if (env !== undefined) return { type: "setEnv", env: envMap(env) };
  throw new ApiError("Invalid", "set needs one of env, args, command or image");
}

function stringArray(value: unknown): string[] {
  if (!Array.isArray(value)) throw new ApiError("Invalid", "args must be an array of strings", { path: "args" });
  value.forEach((v, i) => {
    if (typeof v !== "string") throw new ApiError("Invalid", "must be a string", { path: `args[${i}]` });
  });
  return value as string[];
}

/** `{NAME: "value"}` sets a variable, `{NAME: null}` removes it. */
function envMap(value: unknown): Record<string, string | null> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new ApiError("Invalid", "env must be an object of NAME: value (null removes NAME)", { path: "env" });
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v !== null && typeof v !== "string")
      throw new ApiError("Invalid", "must be a string, or null to remove the variable", { path: `env.${k}` });
    out[k] = v;
  }
  if (Object.keys(out).length === 0) throw new ApiError("Invalid", "env names no variable", { path: "env" });
  return out;
}

/** Longest image reference accepted; registries cap a whole reference well below this. */
const MAX_IMAGE_LENGTH = 1024;

/** `{CONTAINER: "image"}`: each container's new image. */
function imageMap(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new ApiError("Invalid", "image must be an object of CONTAINER: image", { path: "image" });
  const entries = Object.entries(value);
  if (entries.length === 0) throw new ApiError("Invalid", "image names no container", { path: "image" });
  if (entries.length > MAX_LIST)
    throw new ApiError("Invalid", `image names more than ${MAX_LIST} containers`, { path: "image" });
  const out: Record<string, string> = {};
  for (const [k, v] of entries) {
    if (typeof v !== "string" || v.length === 0 || v.length > MAX_IMAGE_LENGTH || /\s/.test(v))
      throw new ApiError(
        "Invalid",
        `must be an image reference of 1 to ${MAX_IMAGE_LENGTH} characters without spaces, e.g. ghcr.io/acme/web:2.1`,
        { path: `image.${k}` },
      );
    out[k] = v;
  }
  return out;
}
