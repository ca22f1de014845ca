import { describe, expect, it } from "vitest";
import { PipelineHarness, threeStages } from "./testing.js";

// Stages in other clusters: the hub may lose its link to one. The planner then sees the stage's
// last known state marked unreachable, records nothing from it, and promotes nothing into it; when
// the link returns it catches up with what the target did meanwhile, once.
describe("a stage whose cluster cannot be reached", () => {
  it("is shown with its last known state and gets no promotion until its cluster answers", () => {
    const h = new PipelineHarness(threeStages());
    h.release("v1");
    h.cutOff("production");
    h.release("v2");
    expect(h.running()).toEqual({ canary: "v2", staging: "v2", production: "v1" });
    const view = h.view("production");
    expect(view).toMatchObject({
      state: "Unreachable",
      release: "v1",
      message: "cluster production-cluster unreachable (ECONNREFUSED); last known: Healthy on v1",
      unreachable: { cluster: "production-cluster", reason: "ECONNREFUSED" },
    });
    expect(h.plan().actions).toEqual([]);

    h.reconnect("production");
    expect(h.running().production).toBe("v2");
    expect(h.applied.filter((a) => a.startsWith("production"))).toEqual(["production=v1", "production=v2"]);
    expect(h.entries("Promoted").filter((e) => e.includes("production"))).toEqual([
      "Promoted production v1",
      "Promoted production v2",
    ]);
  });

  it("does not write a promotion recorded before the link failed until the link returns, then writes it once", () => {
    const h = new PipelineHarness(threeStages());
    h.rolloutsSettle = false;
    h.release("v1");
    h.healthy("canary");
    // Promoted into staging is recorded; the write has happened (rolloutsSettle off: Progressing).
    expect(h.entries("Promoted")).toEqual(["Promoted canary v1", "Promoted staging v1"]);
    // The target changes back by hand meanwhile (the release annotation no longer says v1), then the link fails.
    h.stages.staging = { phase: "Healthy", release: "v0" };
    h.cutOff("staging");
    expect(h.plan().actions).toEqual([]);
    h.reconnect("staging");
    expect(h.applied.filter((a) => a.startsWith("staging"))).toEqual(["staging=v1", "staging=v1"]);
    expect(h.entries("Promoted")).toEqual(["Promoted canary v1", "Promoted staging v1"]);
  });

  it("records nothing from a last known state: Healthy seen only after the link returns counts once", () => {
    const h = new PipelineHarness(threeStages());
    h.rolloutsSettle = false;
    h.release("v1");
    h.healthy("canary");
    h.cutOff("staging");
    // The target's own controller finishes the rollout while the hub cannot see it.
    h.stages.staging = { ...h.stages.staging!, phase: "Healthy", healthySince: h.now.toISOString() };
    h.settle();
    expect(h.entries("Healthy")).toEqual(["Healthy canary v1"]);
    expect(h.running().production).toBeUndefined();

    h.reconnect("staging");
    expect(h.entries("Healthy")).toEqual(["Healthy canary v1", "Healthy staging v1"]);
    expect(h.running().production).toBe("v1");
    h.settle();
    expect(h.entries("Healthy").filter((e) => e.includes("staging"))).toHaveLength(1);
  });

  it("learns of an abort that happened while unreachable when the link returns, and stops the release there", () => {
    const h = new PipelineHarness(threeStages());
    h.rolloutsSettle = false;
    h.release("v1");
    h.healthy("canary");
    h.cutOff("staging");
    h.stages.staging = { ...h.stages.staging!, phase: "Degraded", aborted: true, failedAt: h.now.toISOString() };
    h.settle();
    expect(h.entries("Failed", "Rejected")).toEqual([]);
    h.reconnect("staging");
    expect(h.entries("Failed", "Rejected")).toEqual(["Failed staging v1", "Rejected staging v1"]);
    expect(h.running().production).toBeUndefined();
  });

  it("does not soak on a stage it cannot see", () => {
    const h = new PipelineHarness(threeStages({ production: { soak: "10m" } }));
    h.release("v1");
    h.advance(10 * 60_000);
    expect(h.running().production).toBe("v1");
    h.release("v2");
    h.advance(60_000);
    // v2 passed staging, and production's soak is counting when the link to staging fails.
    h.cutOff("staging");
    h.advance(20 * 60_000);
    expect(h.running().production).toBe("v1");
    expect(h.view("production").gates).toContainEqual(
      expect.objectContaining({
        gate: "soak",
        state: "Waiting",
        message: "staging's cluster staging-cluster is unreachable",
      }),
    );
    h.reconnect("staging");
    expect(h.running().production).toBe("v2");
  });

  it("keeps a person's promotion into an unreachable stage pending and carries it out when it answers", () => {
    const h = new PipelineHarness(threeStages({ production: { approval: { from: { names: ["alice"] } } } }));
    h.release("v1");
    h.cutOff("production");
    h.act("Approved", { release: "v1", stage: "production", actor: "alice" });
    expect(h.running().production).toBeUndefined();
    h.reconnect("production");
    expect(h.running().production).toBe("v1");
    expect(h.entries("Promoted").filter((e) => e.includes("production"))).toEqual(["Promoted production v1"]);
  });

  it("shows a cluster never reached as never reached", () => {
    const h = new PipelineHarness(threeStages());
    h.stages.production = {
      phase: "Progressing",
      unreachable: { cluster: "eu-1", reason: 'cluster "eu-1" is not registered' },
    };
    h.release("v1");
    expect(h.view("production")).toMatchObject({
      state: "Unreachable",
      message: 'cluster eu-1 unreachable (cluster "eu-1" is not registered); never reached',
    });
  });
});
