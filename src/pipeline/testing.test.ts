import { describe, expect, it } from "vitest";
import { PipelineHarness, threeStages } from "./testing.js";

describe("PipelineHarness", () => {
  it("applies promotions to its fake stages and records what people write", () => {
    const h = new PipelineHarness(threeStages({ production: { autoPromote: false } }));
    h.release("v1");
    expect(h.applied).toEqual(["canary=v1", "staging=v1"]);
    expect(h.stages.canary).toMatchObject({ release: "v1", phase: "Healthy", stableRevision: "rev-v1" });
    h.act("PromoteRequested", { release: "v1", stage: "production", actor: "bob" });
    expect(h.record.find((e) => e.type === "PromoteRequested")).toMatchObject({ actor: "bob", pipeline: "shop" });
    expect(h.running().production).toBe("v1");
  });

  it("fails loudly when a verdict names no run", () => {
    const h = new PipelineHarness(threeStages());
    expect(() => h.verdict("nope", "Successful")).toThrow("no run named like nope");
  });
});
