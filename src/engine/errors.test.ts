import { describe, expect, it } from "vitest";
import { EngineError } from "./errors.js";

describe("EngineError", () => {
  it("carries its message and cause", () => {
    const cause = new Error("root");
    const err = new EngineError("cannot undo", { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("EngineError");
    expect(err.message).toBe("cannot undo");
    expect(err.cause).toBe(cause);
  });
});
