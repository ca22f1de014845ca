import { describe, expect, it } from "vitest";
import * as api from "./index.js";

describe("src/import public API", () => {
  it("exposes reading, translating, rendering and the condition translation", () => {
    for (const name of [
      "importPaths",
      "importText",
      "translateManifests",
      "renderResources",
      "readManifests",
      "parseManifests",
      "exprToCel",
      "formatNote",
      "UntranslatableError",
    ])
      expect(typeof (api as Record<string, unknown>)[name]).toBe("function");
    expect(api.ORIGINAL_CONDITION_ANNOTATION).toBe("sluice.dev/original-condition");
  });
});
