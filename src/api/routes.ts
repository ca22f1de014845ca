import type { Context } from "hono";
import { Hono } from "hono";
import { ValidationError } from "../model/errors.js";
import type { Rollout } from "../model/index.js";
import { MAX_DOCUMENT_BYTES } from "../model/limits.js";
import { loadText } from "../model/load.js";
import type { ControlPlane, Resource } from "../ports/control-plane.js";
import { analysisRunRoutes } from "./analysis-run-routes.js";
import { needs } from "./auth.js";
import { limitApplyBody, MAX_YAML_BODY_BYTES, readTextBody, refuseDeepJson } from "./body.js";
import { type CommandOutcome, commandOutcome, OUTCOME_HEADER } from "./command-outcome.js";
import { parseCommand } from "./commands.js";
import { ApiError } from "./errors.js";
import { gateRoutes } from "./gate-routes.js";
import { identityOf, type TokenStore } from "./identity.js";
import { kindOfPlural, parseKind } from "./kinds.js";
import { pipelineRoutes } from "./pipeline-routes.js";
import { type PreviewUrlOf, withPreviewUrl } from "./preview.js";
import { revisionRoutes } from "./revision-routes.js";
import { tokenRoutes } from "./token-routes.js";
import { parseLastEventId, streamChanges, type WatchOptions } from "./watch.js";

const YAML_TYPES = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"];

/**
 * The authenticated routes under /api/v1. Each route's first handler is `needs(role)`: the one place
 * that says who may call it. Handlers pass `identityOf(c)` down as the actor of what they change.
 */
export function v1Routes(deps: {
  control: ControlPlane;
  version: string;
  watch: WatchOptions;
  previewUrl?: PreviewUrlOf;
  /** Named tokens; without them, /tokens answers that this controller has none. */
  tokens?: TokenStore;
}): Hono {
  const { control } = deps;
  const api = new Hono();
  const decorate = <T extends Resource>(r: T) => withPreviewUrl(r, deps.previewUrl);

  api.get("/version", needs("viewer"), (c) => c.json({ version: deps.version }));

  api.get("/whoami", needs("viewer"), (c) => c.json(identityOf(c)));

  // Before the generic /:plural routes, which would otherwise take /tokens.
  api.route("/tokens", tokenRoutes(deps.tokens));

  api.post("/apply", needs("admin"), limitApplyBody, async (c) => {
    const { resources, dryRun, source } = await applyBody(c);
    return c.json(await control.apply(resources, { dryRun, source, actor: identityOf(c) }));
  });

  api.get("/events", needs("viewer"), async (c) => {
    const q = c.req.query();
    return c.json(
      await control.events({
        ...(q.kind ? { kind: parseKind(q.kind) } : {}),
        ...(q.name ? { name: q.name } : {}),
        ...(q.sinceId !== undefined ? { sinceId: count(q.sinceId, "sinceId") } : {}),
        ...(q.limit !== undefined ? { limit: count(q.limit, "limit") } : {}),
      }),
    );
  });

  api.get("/watch", needs("viewer"), (c) => {
    const { name, kind } = c.req.query();
    return streamChanges(
      c,
      control,
      { ...(name ? { name } : {}), ...(kind ? { kind: parseKind(kind) } : {}) },
      { ...deps.watch, ...(deps.previewUrl ? { previewUrl: deps.previewUrl } : {}) },
      parseLastEventId(c.req.header("last-event-id")),
    );
  });

  // Before the generic /:plural routes, which would otherwise take POST /releases.
  api.route(
    "/",
    pipelineRoutes(control, (c) => jsonBody(c, false)),
  );
  api.route(
    "/",
    gateRoutes(control, (c) => jsonBody(c, true)),
  );
  api.route(
    "/",
    analysisRunRoutes(control, (c) => jsonBody(c, true)),
  );
  api.route("/", revisionRoutes(control));

  api.get("/:plural", needs("viewer"), async (c) =>
    c.json((await control.list(kindOfPlural(c.req.param("plural")))).map(decorate)),
  );

  api.get("/:plural/:name", needs("viewer"), async (c) => {
    const kind = kindOfPlural(c.req.param("plural"));
    const name = c.req.param("name");
    const resource = await control.get(kind, name);
    if (!resource) throw new ApiError("NotFound", `${kind} "${name}" not found`);
    return c.json(decorate(resource));
  });

  api.delete("/:plural/:name", needs("admin"), async (c) => {
    const kind = kindOfPlural(c.req.param("plural"));
    const name = c.req.param("name");
    if (!(await control.delete(kind, name, { actor: identityOf(c) })))
      throw new ApiError("NotFound", `${kind} "${name}" not found`);
    return c.json({ kind, name, deleted: true });
  });

  api.post("/rollouts/:name/:verb", needs("operator"), async (c) => {
    const name = c.req.param("name");
    const command = parseCommand(c.req.param("verb"), await jsonBody(c, true));
    // Read in the same tick as the command starts, so this is the state the controller acts on.
    const before = (await control.get("Rollout", name)) as Rollout | undefined;
    const after = await control.command(name, command, { actor: identityOf(c) });
    let outcome: CommandOutcome = "changed";
    try {
      if (before) outcome = commandOutcome(before, command, after);
    } catch {
      // The controller accepted the command; when in doubt, say it changed something.
    }
    c.header(OUTCOME_HEADER, outcome);
    return c.json(decorate(after));
  });

  return api;
}

/** Reads `{resources, dryRun?}` as JSON, or manifests as YAML text (dry run then comes from `?dryRun=true`). */
async function applyBody(c: Context): Promise<{ resources: unknown[]; dryRun: boolean; source: string }> {
  const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const queryDryRun = c.req.query("dryRun") === "true";
  const source = c.req.query("source") ?? "request";
  if (YAML_TYPES.includes(type)) {
    const { resources, errors } = loadText(await readTextBody(c, MAX_YAML_BODY_BYTES), source);
    if (errors.length > 0) throw new ValidationError(errors);
    if (resources.length === 0) throw new ApiError("Invalid", "the request holds no resources");
    return { resources, dryRun: queryDryRun, source };
  }
  const body = await jsonBody(c, false);
  if (typeof body !== "object" || body === null || !Array.isArray((body as { resources?: unknown }).resources))
    throw new ApiError(
      "Invalid",
      'the body must be {"resources": [...], "dryRun"?: boolean}, or YAML with Content-Type: application/yaml',
      {
        path: "resources",
      },
    );
  const { resources, dryRun } = body as { resources: unknown[]; dryRun?: unknown };
  if (dryRun !== undefined && typeof dryRun !== "boolean")
    throw new ApiError("Invalid", "must be true or false", { path: "dryRun" });
  return { resources, dryRun: dryRun ?? queryDryRun, source };
}

/** Parses a JSON body; an empty body is `undefined` when `optional`. */
async function jsonBody(c: Context, optional: boolean): Promise<unknown> {
  const text = await readTextBody(c, MAX_DOCUMENT_BYTES);
  if (text.trim() === "") {
    if (optional) return undefined;
    throw new ApiError("Invalid", "the request body is empty");
  }
  refuseDeepJson(text);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError("Invalid", `the request body is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

function count(value: string, name: string): number {
  if (!/^\d+$/.test(value)) throw new ApiError("Invalid", `${name} must be a whole number`, { path: name });
  return Number(value);
}
