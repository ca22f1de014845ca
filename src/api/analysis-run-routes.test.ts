import { describe, expect, it } from "vitest";
import type { ApiErrorBody } from "./errors.js";
import { jsonPoster } from "./testing.js";

const setup = jsonPoster;

describe("POST /api/v1/analysisruns/:name/terminate", () => {
  it("answers NotFound, naming the run, for a run that does not exist", async () => {
    const { post } = setup();
    const res = await post("/api/v1/analysisruns/web-2-1-step1/terminate", {});
    expect(res.status).toBe(404);
    expect(((await res.json()) as ApiErrorBody).error.message).toContain('"web-2-1-step1"');
  });

  it.each([
    [{ why: "x" }, 'unknown field "why"; terminate takes reason', "why"],
    [{ reason: 7 }, "reason must be text of at most 1000 characters", "reason"],
    [{ reason: "x".repeat(1001) }, "reason must be text of at most 1000 characters", "reason"],
  ])("refuses %j with a one-line error naming the field", async (body, message, path) => {
    const { control, post } = setup();
    const res = await post("/api/v1/analysisruns/r/terminate", body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as ApiErrorBody).error).toMatchObject({ code: "Invalid", message, path });
    expect(control.actors).toEqual([]);
  });
});
