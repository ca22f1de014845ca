import { describe, expect, it } from "vitest";
import type { ApiErrorBody } from "./errors.js";
import { LOCAL_ADMIN } from "./identity.js";
import { jsonPoster, rolloutManifest } from "./testing.js";

const setup = jsonPoster;

describe("POST /api/v1/rollouts/:name/gates/open", () => {
  it("opens a gate as the calling token, with the reason", async () => {
    const { control, post } = setup();
    await control.apply([rolloutManifest("web")]);
    const res = await post("/api/v1/rollouts/web/gates/open", { gate: "qa", reason: "QA signed off" });
    expect(res.status).toBe(200);
    expect(control.commands).toEqual([
      { rollout: "web", command: { type: "openGate", by: LOCAL_ADMIN, gate: "qa", reason: "QA signed off" } },
    ]);
    expect(control.actors.at(-1)).toBe(LOCAL_ADMIN);
  });

  it.each([
    [{ gate: "qa", why: "x" }, 'unknown field "why"; gates/open takes gate and reason', "why"],
    [{ gate: 7 }, "gate must be a gate's name (at most 63 characters)", "gate"],
    [{ reason: "x".repeat(1001) }, "reason must be text of at most 1000 characters", "reason"],
  ])("refuses %j with a one-line error naming the field, changing nothing", async (body, message, path) => {
    const { control, post } = setup();
    await control.apply([rolloutManifest("web")]);
    const res = await post("/api/v1/rollouts/web/gates/open", body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as ApiErrorBody).error).toMatchObject({ code: "Invalid", message, path });
    expect(control.commands).toEqual([]);
  });
});
