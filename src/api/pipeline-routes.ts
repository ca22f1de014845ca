import type { Context } from "hono";
import { Hono } from "hono";
import type { Release } from "../model/index.js";
import type { ControlPlane, PipelineRequest } from "../ports/control-plane.js";
import { needs } from "./auth.js";
import { ApiError } from "./errors.js";
import { identityOf } from "./identity.js";

const MAX_REASON = 1024;

/** Which role may ask for what. Approving is its own role, so whoever ships a release does not also sign it off. */
const VERB_ROLE = {
  approve: "approver",
  deny: "approver",
  promote: "operator",
  retry: "operator",
} as const;

/**
 * Pipeline routes under /api/v1: create a release, approve or deny a stage, promote a release into a
 * stage (also an older one: a rollback), retry a stage's gates, reject or un-reject a release, and
 * read a pipeline's record. Every change names the token that asked for it.
 */
export function pipelineRoutes(control: ControlPlane, json: (c: Context) => Promise<unknown>): Hono {
  const api = new Hono();

  api.post("/releases", needs("operator"), async (c) => {
    const body = await json(c);
    const release = { apiVersion: "sluice.dev/v1alpha1", kind: "Release", ...(body as object) } as Release;
    if ((release as { kind?: unknown }).kind !== "Release")
      throw new ApiError("Invalid", "POST /releases takes one Release", { path: "kind" });
    const [result] = await control.apply([release], { source: "request", actor: identityOf(c) });
    const stored = await control.get("Release", release.metadata?.name ?? "");
    return c.json(stored ?? result, result?.outcome === "created" ? 201 : 200);
  });

  for (const verb of ["reject", "unreject"] as const)
    api.post(`/releases/:name/${verb}`, needs("operator"), async (c) => {
      const name = c.req.param("name");
      const release = (await control.get("Release", name)) as Release | undefined;
      if (!release) throw new ApiError("NotFound", `Release "${name}" not found`);
      const { reason } = fields(await json(c), []);
      const entry = await control.pipelineRequest(
        release.spec.pipeline,
        { type: verb, release: name, reason },
        { actor: identityOf(c) },
      );
      return c.json(entry, 201);
    });

  for (const verb of Object.keys(VERB_ROLE) as (keyof typeof VERB_ROLE)[])
    api.post(`/pipelines/:name/${verb}`, needs(VERB_ROLE[verb]), async (c) => {
      const { stage, release, reason } = fields(await json(c), ["stage", "release"]);
      const request: PipelineRequest = { type: verb, stage: stage!, release: release!, reason };
      const entry = await control.pipelineRequest(c.req.param("name"), request, { actor: identityOf(c) });
      return c.json(entry, 201);
    });

  api.get("/pipelines/:name/record", needs("viewer"), async (c) => {
    const q = c.req.query();
    const whole = (v: string | undefined, name: string) => {
      if (v === undefined) return undefined;
      if (!/^\d{1,9}$/.test(v)) throw new ApiError("Invalid", `${name} must be a whole number`, { path: name });
      return Number(v);
    };
    const sinceSeq = whole(q.sinceSeq, "sinceSeq");
    const limit = whole(q.limit, "limit");
    return c.json(
      await control.pipelineRecord(c.req.param("name"), {
        ...(q.release ? { release: q.release } : {}),
        ...(sinceSeq !== undefined ? { sinceSeq } : {}),
        ...(limit !== undefined ? { limit } : {}),
      }),
    );
  });

  return api;
}

/** The request's `stage`, `release` and `reason`, each a bounded string; `reason` is required. */
function fields(body: unknown, required: ("stage" | "release")[]) {
  if (typeof body !== "object" || body === null)
    throw new ApiError("Invalid", 'the body must be JSON such as {"stage": "prod", "release": "v2", "reason": "…"}');
  const b = body as Record<string, unknown>;
  const text = (key: string, max: number) => {
    const v = b[key];
    if (v === undefined) return undefined;
    if (typeof v !== "string" || v.length === 0 || v.length > max)
      throw new ApiError("Invalid", `must be a string of 1 to ${max} characters`, { path: key });
    return v;
  };
  for (const key of required)
    if (b[key] === undefined) throw new ApiError("Invalid", `${key} is required`, { path: key });
  const reason = text("reason", MAX_REASON);
  if (reason === undefined)
    throw new ApiError("Invalid", "say why: the record keeps a reason with every change", { path: "reason" });
  return { stage: text("stage", 63), release: text("release", 63), reason };
}
