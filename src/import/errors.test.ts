import { describe, expect, it } from "vitest";
import { UntranslatableError } from "./errors.js";

describe("UntranslatableError", () => {
  it("carries the field to blame and its cause", () => {
    const cause = new Error("root");
    const e = new UntranslatableError("spec.strategy is missing", "spec.strategy", { cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("UntranslatableError");
    expect(e.path).toBe("spec.strategy");
    expect(e.cause).toBe(cause);
    expect(new UntranslatableError("no name").path).toBe("");
  });
});
