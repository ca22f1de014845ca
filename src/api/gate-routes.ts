import type { Context } from "hono";
import { Hono } from "hono";
import type { ControlPlane } from "../ports/control-plane.js";
import { needs } from "./auth.js";
import { ApiError } from "./errors.js";
import { identityOf } from "./identity.js";

const MAX_REASON = 1000;
const MAX_GATE_NAME = 63;

/**
 * `POST /rollouts/:name/gates/open` with `{gate?, reason?}`: opens a gate that waits for a person
 * (a `gate` step, a manual hook) or one whose hook has not said yes yet. The opener is the API
 * token (or Kubernetes user) that asked; status.gates and the CommandReceived event record who and why.
 */
export function gateRoutes(control: ControlPlane, json: (c: Context) => Promise<unknown>): Hono {
  const api = new Hono();
  api.post("/rollouts/:name/gates/open", needs("operator"), async (c) => {
    const body = (await json(c)) ?? {};
    if (typeof body !== "object" || Array.isArray(body))
      throw new ApiError("Invalid", "the request body must be a JSON object with gate and reason");
    const { gate, reason, ...rest } = body as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined)
      throw new ApiError("Invalid", `unknown field "${extra}"; gates/open takes gate and reason`, { path: extra });
    if (gate !== undefined && (typeof gate !== "string" || gate === "" || gate.length > MAX_GATE_NAME))
      throw new ApiError("Invalid", `gate must be a gate's name (at most ${MAX_GATE_NAME} characters)`, {
        path: "gate",
      });
    if (reason !== undefined && (typeof reason !== "string" || reason.length > MAX_REASON))
      throw new ApiError("Invalid", `reason must be text of at most ${MAX_REASON} characters`, { path: "reason" });
    const identity = identityOf(c);
    const after = await control.command(
      c.req.param("name"),
      {
        type: "openGate",
        by: identity.name,
        ...(gate === undefined ? {} : { gate: gate as string }),
        ...(reason === undefined ? {} : { reason: reason as string }),
      },
      { actor: identity },
    );
    return c.json(after);
  });
  return api;
}
