import type { Context } from "hono";
import { Hono } from "hono";
import type { ControlPlane } from "../ports/control-plane.js";
import { needs } from "./auth.js";
import { ApiError } from "./errors.js";
import { identityOf } from "./identity.js";

const MAX_REASON = 1000;

/**
 * `POST /analysisruns/:name/terminate` with `{reason?}`: ends a running analysis run with the
 * verdict its measurements give so far, as Argo's `terminate analysisrun` does. An undecided judge
 * ends Inconclusive, so the rollout waits for a person instead of promoting on too little evidence.
 * The caller (API token or Kubernetes user) and the reason are recorded on the rollout.
 */
export function analysisRunRoutes(control: ControlPlane, json: (c: Context) => Promise<unknown>): Hono {
  const api = new Hono();
  api.post("/analysisruns/:name/terminate", needs("operator"), async (c) => {
    const body = (await json(c)) ?? {};
    if (typeof body !== "object" || Array.isArray(body))
      throw new ApiError("Invalid", "the request body must be a JSON object with an optional reason");
    const { reason, ...rest } = body as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined)
      throw new ApiError("Invalid", `unknown field "${extra}"; terminate takes reason`, { path: extra });
    if (reason !== undefined && (typeof reason !== "string" || reason.length > MAX_REASON))
      throw new ApiError("Invalid", `reason must be text of at most ${MAX_REASON} characters`, { path: "reason" });
    const run = await control.terminateAnalysisRun(c.req.param("name"), {
      actor: identityOf(c),
      ...(reason === undefined ? {} : { reason: reason as string }),
    });
    return c.json(run);
  });
  return api;
}
