import { describe, expect, it } from "vitest";
import * as pipeline from "./index.js";

describe("src/pipeline", () => {
  it("exports the planner, its helpers and the lint checks", () => {
    expect(Object.keys(pipeline).sort()).toEqual([
      "BASE_TEMPLATE_ANNOTATION",
      "RELEASE_ANNOTATION",
      "applyRelease",
      "gateRunName",
      "nextWindowOpening",
      "pipelineChecks",
      "plan",
      "promoteRefusal",
      "releaseOf",
      "releaseOnBase",
      "stageRolloutChecks",
      "windowOpenAt",
    ]);
  });
});
