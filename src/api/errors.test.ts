import { describe, expect, it } from "vitest";
import { ManifestError, ValidationError } from "../model/errors.js";
import { NotFoundError } from "../ports/control-plane.js";
import { ApiError, toErrorResponse } from "./errors.js";

describe("toErrorResponse", () => {
  it("keeps an ApiError's code, path and details", () => {
    const err = new ApiError("Invalid", "bad", { path: "x", details: [{ path: "x", message: "bad" }] });
    expect(toErrorResponse(err)).toEqual({
      status: 400,
      body: { error: { code: "Invalid", message: "bad", path: "x", details: [{ path: "x", message: "bad" }] } },
    });
  });

  it("maps validation errors to Invalid with the first field path and every detail", () => {
    const err = new ValidationError([
      new ManifestError({ file: "a.yaml", line: 3, path: "spec.replicas", message: "must be >= 0" }),
      new ManifestError({ file: "a.yaml", path: "", message: "unknown kind" }),
    ]);
    expect(toErrorResponse(err)).toEqual({
      status: 400,
      body: {
        error: {
          code: "Invalid",
          message: err.message,
          path: "spec.replicas",
          details: [
            { file: "a.yaml", line: 3, path: "spec.replicas", message: "must be >= 0" },
            { file: "a.yaml", path: "", message: "unknown kind" },
          ],
        },
      },
    });
  });

  it("maps NotFoundError, engine conflicts and anything else", () => {
    expect(toErrorResponse(new NotFoundError("Rollout", "web")).status).toBe(404);
    const engine = Object.assign(new Error("no such revision"), { name: "EngineError" });
    expect(toErrorResponse(engine)).toEqual({
      status: 409,
      body: { error: { code: "Conflict", message: "no such revision" } },
    });
    expect(toErrorResponse(new Error("disk full"))).toEqual({
      status: 500,
      body: { error: { code: "Internal", message: "disk full" } },
    });
    expect(toErrorResponse("weird").body.error.message).toBe("weird");
  });
});
