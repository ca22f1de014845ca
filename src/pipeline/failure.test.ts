import { describe, expect, it } from "vitest";
import { PipelineSpec, type RecordEntry } from "../model/index.js";
import { createContext } from "./context.js";
import { lastGoodRelease, onFailure } from "./failure.js";

function context(onFailureMode: string, record: Partial<RecordEntry>[]) {
  return createContext({
    pipeline: {
      name: "p",
      spec: PipelineSpec.parse({
        onFailure: onFailureMode,
        stages: [
          { name: "a", rollout: "r" },
          { name: "b", rollout: "r" },
          { name: "side", rollout: "r", after: [] },
          { name: "c", rollout: "r", after: ["b"] },
        ],
      }),
    },
    releases: ["v1", "v2", "v3"].map((name) => ({ metadata: { name } })),
    stages: {},
    record: record.map((e) => ({
      time: "2025-03-03T10:00:00Z",
      pipeline: "p",
      actor: "x",
      reason: "",
      release: "v1",
      type: "Healthy",
      ...e,
    })),
    runs: {},
    now: new Date("2025-03-03T11:00:00Z"),
  });
}

describe("onFailure", () => {
  const history: Partial<RecordEntry>[] = [
    { type: "Healthy", stage: "c", release: "v1" },
    { type: "Healthy", stage: "c", release: "v2" },
    { type: "Rejected", release: "v2" },
    { type: "Promoted", stage: "a", release: "v3" },
    { type: "Promoted", stage: "b", release: "v3" },
    { type: "Promoted", stage: "side", release: "v3" },
  ];

  it("finds the newest release that passed the stage and is not rejected", () => {
    expect(lastGoodRelease(context("leave", history), "c", "v3")).toBe("v1");
  });

  it("rollbackEarlier rolls back only earlier stages that run the failed release", () => {
    const c = context("rollbackEarlier", [...history, { type: "Promoted", stage: "b", release: "v2" }]);
    onFailure(c, "c", "v3");
    expect(c.ledger.added.map((e) => `${e.type} ${e.stage} ${e.release}`)).toEqual(["RolledBack a v1"]);
  });

  it("leave records nothing", () => {
    const c = context("leave", history);
    onFailure(c, "c", "v3");
    expect(c.ledger.added).toEqual([]);
  });
});
