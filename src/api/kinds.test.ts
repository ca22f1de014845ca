import { describe, expect, it } from "vitest";
import { kindOfPlural, parseKind } from "./kinds.js";

describe("kinds", () => {
  it("resolves URL plurals and query kinds", () => {
    expect(kindOfPlural("clusteranalysistemplates")).toBe("ClusterAnalysisTemplate");
    expect(parseKind("AnalysisRun")).toBe("AnalysisRun");
    expect(parseKind("rollouts")).toBe("Rollout");
  });

  it("rejects unknown names with the code each place needs", () => {
    expect(() => kindOfPlural("Rollout")).toThrow(expect.objectContaining({ code: "NotFound" }));
    expect(() => parseKind("widgets")).toThrow(expect.objectContaining({ code: "Invalid", path: "kind" }));
  });
});
