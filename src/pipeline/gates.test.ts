import { describe, expect, it } from "vitest";
import { PipelineHarness, threeStages } from "./testing.js";

const verification = { verification: { templates: [{ templateName: "slo" }], args: [{ name: "svc", value: "web" }] } };
const checks = {
  checks: [
    { name: "it", templates: [{ templateName: "integration" }] },
    { name: "scan", templates: [{ templateName: "security-scan" }] },
  ],
};

describe("verification", () => {
  it("runs against the previous stage's stable revision and passes on success", () => {
    const h = new PipelineHarness(threeStages({ staging: verification }));
    h.release("v1");
    expect(h.started).toEqual([
      {
        type: "startGateRun",
        kind: "verification",
        name: "shop-staging-v1-verify-canary-1",
        stage: "staging",
        release: "v1",
        analysis: { templates: [{ templateName: "slo", clusterScope: false }], args: [{ name: "svc", value: "web" }] },
        target: { stage: "canary", revision: "rev-v1" },
      },
    ]);
    expect(h.running().staging).toBeUndefined();
    expect(h.view("staging")).toMatchObject({ state: "Waiting", candidate: "v1" });
    h.verdict("verify", "Successful");
    expect(h.entries("Verified")).toEqual(["Verified staging v1"]);
    expect(h.running().staging).toBe("v1");
  });

  it("a failed verification rejects the release", () => {
    const h = new PipelineHarness(threeStages({ staging: verification }));
    h.release("v1");
    h.verdict("verify", "Failed");
    expect(h.entries("Failed", "Rejected")).toEqual(["Failed staging v1", "Rejected staging v1"]);
    expect(h.record.find((e) => e.type === "Failed")).toMatchObject({
      gate: "verification",
      run: "shop-staging-v1-verify-canary-1",
    });
    expect(h.running().staging).toBeUndefined();
    expect(h.view("staging")).toMatchObject({ state: "Healthy", gates: [] });
    expect(h.view("staging").candidate).toBeUndefined();
  });

  it("an inconclusive verification never promotes; a retry runs it again under a new name", () => {
    const h = new PipelineHarness(threeStages({ staging: verification }));
    h.release("v1");
    h.verdict("verify", "Inconclusive");
    h.advance(3_600_000);
    expect(h.running().staging).toBeUndefined();
    expect(h.view("staging").gates[0]).toMatchObject({ gate: "verification", state: "Waiting" });
    h.act("Retried", { release: "v1", stage: "staging" });
    expect(h.started.map((r) => r.name)).toEqual([
      "shop-staging-v1-verify-canary-1",
      "shop-staging-v1-verify-canary-2",
    ]);
    h.verdict("canary-2", "Successful");
    expect(h.running().staging).toBe("v1");
  });

  it("is not started until the release is Healthy in the previous stage", () => {
    const h = new PipelineHarness(threeStages({ staging: verification }));
    h.rolloutsSettle = false;
    h.release("v1");
    expect(h.started).toEqual([]);
    h.healthy("canary");
    expect(h.started).toHaveLength(1);
  });
});

describe("checks", () => {
  it("needs every check to succeed; one failure rejects the release", () => {
    const h = new PipelineHarness(threeStages({ production: checks }));
    h.release("v1");
    expect(h.started.map((r) => [r.name, r.check, r.target.stage])).toEqual([
      ["shop-production-v1-check-it-1", "it", "staging"],
      ["shop-production-v1-check-scan-1", "scan", "staging"],
    ]);
    h.verdict("check-it", "Successful");
    expect(h.running().production).toBeUndefined();
    h.verdict("check-scan", "Failed");
    expect(h.entries("Rejected")).toEqual(["Rejected production v1"]);
  });

  it("on the first stage run before it, with no revision to measure", () => {
    const h = new PipelineHarness(threeStages({ canary: checks }));
    h.autoVerdict = "Successful";
    h.release("v1");
    expect(h.started[0]?.target).toEqual({ stage: "canary" });
    expect(h.entries("GatePassed")).toEqual(["GatePassed canary v1"]);
    expect(h.running().production).toBe("v1");
  });
});

describe("soak", () => {
  it("waits until the release has been Healthy in the previous stage for the soak time", () => {
    const h = new PipelineHarness(threeStages({ staging: { soak: "1h" } }));
    h.release("v1");
    const soak = h.view("staging").gates[0];
    expect(soak).toMatchObject({ gate: "soak", state: "Waiting", until: "2025-03-03T11:00:00.000Z" });
    expect(h.last?.wakeAt?.toISOString()).toBe("2025-03-03T11:00:00.000Z");
    h.advance(3_600_000 - 1);
    expect(h.running().staging).toBeUndefined();
    h.advance(1);
    expect(h.running().staging).toBe("v1");
  });

  it("stays passed once recorded, even when the previous stage moves on", () => {
    const h = new PipelineHarness(threeStages({ production: { soak: "10m", autoPromote: false } }));
    h.release("v1");
    h.advance(600_000);
    expect(h.entries("GatePassed")).toEqual(["GatePassed production v1"]);
    h.stages.staging = { release: "v1", phase: "Progressing" };
    h.act("PromoteRequested", { release: "v1", stage: "production" });
    expect(h.running().production).toBe("v1");
  });

  it("restarts when the previous stage is no longer Healthy", () => {
    const h = new PipelineHarness(threeStages({ staging: { soak: "1h" } }));
    h.release("v1");
    h.advance(1_800_000);
    h.healthy("canary");
    h.advance(1_800_000);
    expect(h.running().staging).toBeUndefined();
    h.advance(1_800_000);
    expect(h.running().staging).toBe("v1");
  });
});

describe("window", () => {
  const friday = { timeZone: "Europe/Berlin", deny: [{ from: "Fri 16:00", to: "Mon 08:00" }] };

  it("holds a release while the window is closed and promotes when it opens", () => {
    // Friday 2025-03-07 17:00 in Berlin (UTC+1).
    const h = new PipelineHarness(threeStages({ production: { window: friday } }), new Date("2025-03-07T16:00:00Z"));
    h.release("v1");
    expect(h.running()).toEqual({ canary: "v1", staging: "v1", production: undefined });
    expect(h.view("production")).toMatchObject({
      state: "Waiting",
      message: "v1 waits for window: closed; opens at 2025-03-10T07:00:00.000Z (Europe/Berlin)",
    });
    expect(h.last?.wakeAt?.toISOString()).toBe("2025-03-10T07:00:00.000Z");
    expect(h.wake()).toBe(true);
    expect(h.running().production).toBe("v1");
  });

  it("does not wake for the window while another gate still waits", () => {
    const h = new PipelineHarness(
      threeStages({ production: { window: friday, approval: { timeout: "1h" } } }),
      new Date("2025-03-07T16:00:00Z"),
    );
    h.release("v1");
    expect(h.last?.wakeAt?.toISOString()).toBe("2025-03-07T17:00:00.000Z");
  });
});
