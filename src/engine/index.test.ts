import { describe, expect, it } from "vitest";
import * as engine from "./index.js";

describe("engine exports", () => {
  it.each(["reconcile", "applyCommand", "revisionHash", "canonicalJson", "buildTraffic", "describeStep", "stepLabel"])(
    "%s",
    (name) => {
      expect(typeof (engine as Record<string, unknown>)[name]).toBe("function");
    },
  );

  it("EngineError is a class", () => {
    expect(new engine.EngineError("x")).toBeInstanceOf(Error);
  });
});
