import { describe, expect, it } from "vitest";
import { plan, promoteRefusal } from "./plan.js";
import { PipelineHarness, threeStages } from "./testing.js";

describe("promotion through stages", () => {
  it("moves a release through every stage in order when no gates are set", () => {
    const h = new PipelineHarness(threeStages());
    h.release("v1");
    expect(h.applied).toEqual(["canary=v1", "staging=v1", "production=v1"]);
    expect(h.entries("Promoted", "Healthy")).toEqual([
      "Promoted canary v1",
      "Healthy canary v1",
      "Promoted staging v1",
      "Healthy staging v1",
      "Promoted production v1",
      "Healthy production v1",
    ]);
    expect(h.view("production")).toMatchObject({ state: "Healthy", release: "v1", desired: "v1" });
  });

  it("waits for the stage's rollout to become Healthy before the next stage", () => {
    const h = new PipelineHarness(threeStages());
    h.rolloutsSettle = false;
    h.release("v1");
    expect(h.applied).toEqual(["canary=v1"]);
    expect(h.view("canary")).toMatchObject({ state: "Promoting", release: "v1" });
    h.healthy("canary");
    expect(h.applied).toEqual(["canary=v1", "staging=v1"]);
    expect(h.entries("Entered")).toEqual(["Entered canary v1", "Entered staging v1"]);
  });

  it("promotes only the newest release that passed, skipping ones superseded while waiting", () => {
    const h = new PipelineHarness(threeStages({ staging: { soak: "1h" } }));
    h.release("v1");
    h.release("v2");
    h.release("v3");
    h.advance(3_600_000);
    expect(h.running()).toEqual({ canary: "v3", staging: "v3", production: "v3" });
    expect(h.applied.filter((a) => a.startsWith("staging"))).toEqual(["staging=v3"]);
  });

  it("keeps asking for a promotion the platform has not carried out yet, without recording it again", () => {
    const h = new PipelineHarness(threeStages());
    h.releases.push("v1");
    const first = h.plan();
    h.record.push(...first.entries);
    const again = h.plan();
    expect(first.actions).toEqual([{ type: "promote", stage: "canary", release: "v1" }]);
    expect(again.actions).toEqual(first.actions);
    expect(again.entries).toEqual([]);
  });

  it("fans out to every stage that follows the same stage", () => {
    const h = new PipelineHarness({
      stages: [
        { name: "staging", rollout: "web-staging" },
        { name: "prod-eu", rollout: "web-eu", after: ["staging"] },
        { name: "prod-us", rollout: "web-us", after: ["staging"] },
        { name: "audit", rollout: "web-audit", after: ["prod-eu", "prod-us"] },
      ],
    });
    h.rolloutsSettle = false;
    h.release("v1");
    h.healthy("staging");
    expect(h.applied).toEqual(["staging=v1", "prod-eu=v1", "prod-us=v1"]);
    h.healthy("prod-eu");
    expect(h.applied).not.toContain("audit=v1");
    h.healthy("prod-us");
    expect(h.applied).toContain("audit=v1");
  });

  it("promotes nothing into a stage whose rollout is missing", () => {
    const h = new PipelineHarness(threeStages());
    delete (h.stages as Record<string, unknown>).staging;
    h.release("v1");
    expect(h.applied).toEqual(["canary=v1"]);
    expect(h.view("staging")).toMatchObject({ state: "Idle", message: "rollout web-staging not found" });
  });
});

describe("rejection", () => {
  it("rejects a release that fails in a stage; it never enters a later stage, even by hand", () => {
    const h = new PipelineHarness(threeStages());
    h.rolloutsSettle = false;
    h.release("v1");
    h.fail("canary");
    expect(h.entries("Failed", "Rejected")).toEqual(["Failed canary v1", "Rejected canary v1"]);
    expect(h.events.map((e) => `${e.type} ${e.reason}`).slice(-2)).toEqual(["Warning Failed", "Warning Rejected"]);
    h.act("PromoteRequested", { release: "v1", stage: "staging", actor: "bob" });
    expect(h.entries("PromoteRefused")).toEqual(["PromoteRefused staging v1"]);
    expect(h.record.at(-1)?.reason).toMatch(/release v1 is rejected .*unreject it first/);
    expect(h.applied).toEqual(["canary=v1"]);
    expect(h.view("canary").state).toBe("Failed");
  });

  it("never promotes a release a person rejected, and lets it go on once un-rejected", () => {
    const h = new PipelineHarness(threeStages({ staging: { soak: "10m" } }));
    h.release("v1");
    h.act("Rejected", { release: "v1", actor: "carol", reason: "bad migration" });
    h.advance(600_000);
    expect(h.running().staging).toBeUndefined();
    h.act("Unrejected", { release: "v1", actor: "carol", reason: "migration fixed by hand" });
    expect(h.running()).toEqual({ canary: "v1", staging: "v1", production: "v1" });
  });

  it("after un-rejection does not reject again for the same aborted rollout, but does for a new failure", () => {
    const h = new PipelineHarness(threeStages());
    h.rolloutsSettle = false;
    h.release("v1");
    h.fail("canary");
    h.advance(1000);
    h.act("Unrejected", { release: "v1", reason: "flaky metric" });
    expect(h.entries("Rejected", "Unrejected")).toEqual(["Rejected canary v1", "Unrejected v1"]);
    h.healthy("canary");
    expect(h.running().staging).toBe("v1");
    h.advance(1000);
    h.fail("staging");
    expect(h.entries("Rejected")).toEqual(["Rejected canary v1", "Rejected staging v1"]);
  });

  it("moves on to the next good release after one is rejected", () => {
    const h = new PipelineHarness(threeStages());
    h.rolloutsSettle = false;
    h.release("v1");
    h.fail("canary");
    h.release("v2");
    h.healthy("canary");
    expect(h.applied).toEqual(["canary=v1", "canary=v2", "staging=v2"]);
  });
});

describe("onFailure", () => {
  function failInStaging(onFailure: string) {
    const h = new PipelineHarness(threeStages({}, onFailure));
    h.release("v1");
    h.rolloutsSettle = false;
    h.release("v2");
    h.healthy("canary");
    h.fail("staging");
    return h;
  }

  it("leave: earlier stages keep the failed release", () => {
    const h = failInStaging("leave");
    expect(h.running()).toEqual({ canary: "v2", staging: "v2", production: "v1" });
    expect(h.entries("RolledBack")).toEqual([]);
  });

  it("rollbackEarlier: earlier stages go back to the last release that passed the failed stage", () => {
    const h = failInStaging("rollbackEarlier");
    expect(h.entries("RolledBack")).toEqual(["RolledBack canary v1"]);
    expect(h.record.find((e) => e.type === "RolledBack")?.reason).toBe(
      "v2 failed in staging; back to v1, the last release that passed staging",
    );
    expect(h.last?.actions).toEqual([]);
    expect(h.applied.at(-1)).toBe("canary=v1");
    expect(h.running().canary).toBe("v1");
  });

  it("rollbackEarlier with no earlier good release warns and leaves the stages", () => {
    const h = new PipelineHarness(threeStages({}, "rollbackEarlier"));
    h.rolloutsSettle = false;
    h.release("v1");
    h.healthy("canary");
    h.fail("staging");
    expect(h.entries("RolledBack")).toEqual([]);
    expect(h.running().canary).toBe("v1");
    expect(h.events.filter((e) => e.reason === "PipelineWarning")).toEqual([
      {
        type: "Warning",
        reason: "PipelineWarning",
        stage: "staging",
        release: "v1",
        message: "no earlier release passed staging, so canary keep v1",
      },
    ]);
  });

  it("rollbackEarlier also applies when verification for a stage fails", () => {
    const h = new PipelineHarness(
      threeStages({ production: { verification: { templates: [{ templateName: "slo" }] } } }, "rollbackEarlier"),
    );
    h.autoVerdict = "Successful";
    h.release("v1");
    h.autoVerdict = undefined;
    h.release("v2");
    h.verdict("v2-verify", "Failed");
    expect(h.running()).toEqual({ canary: "v1", staging: "v1", production: "v1" });
    expect(h.entries("Failed", "Rejected", "RolledBack")).toEqual([
      "Failed production v2",
      "Rejected production v2",
      "RolledBack canary v1",
      "RolledBack staging v1",
    ]);
  });
});

describe("manual promote", () => {
  it("rolls a stage back to an older good release at once, and records who asked", () => {
    const h = new PipelineHarness(threeStages());
    h.release("v1");
    h.release("v2");
    h.act("PromoteRequested", { release: "v1", stage: "production", actor: "dave", reason: "v2 slow at peak" });
    expect(h.running().production).toBe("v1");
    const back = h.record.find((e) => e.type === "RolledBack");
    expect(back).toMatchObject({ stage: "production", release: "v1", actor: "dave", reason: "v2 slow at peak" });
    expect(h.last?.actions).toEqual([]);
    expect(h.applied.at(-1)).toBe("production=v1");
    h.advance(3_600_000);
    expect(h.running().production).toBe("v1");
  });

  it("takes a release forward through the stage's gates when autoPromote is off", () => {
    const h = new PipelineHarness(threeStages({ production: { autoPromote: false } }));
    h.release("v1");
    expect(h.running().production).toBeUndefined();
    expect(h.view("production")).toMatchObject({
      state: "Waiting",
      candidate: "v1",
      message: "v1 waits for promote: autoPromote is off: promote v1 by hand",
    });
    h.act("PromoteRequested", { release: "v1", stage: "production", actor: "erin" });
    expect(h.running().production).toBe("v1");
    expect(h.record.find((e) => e.type === "Promoted" && e.stage === "production")?.actor).toBe("erin");
  });

  it("refuses a release that has not passed the stages before", () => {
    const h = new PipelineHarness(threeStages({ staging: { autoPromote: false } }));
    h.release("v1");
    expect(promoteRefusal(h.input(), "production", "v1")).toBe("release v1 has not passed staging");
    expect(promoteRefusal(h.input(), "nope", "v1")).toBe('pipeline shop has no stage "nope"');
    expect(promoteRefusal(h.input(), "staging", "v9")).toBe('pipeline shop has no release "v9"');
    expect(promoteRefusal(h.input(), "staging", "v1")).toBeUndefined();
    h.act("PromoteRequested", { release: "v1", stage: "production" });
    expect(h.entries("PromoteRefused")).toEqual(["PromoteRefused production v1"]);
  });

  it("answers a request for the release the stage already runs", () => {
    const h = new PipelineHarness(threeStages());
    h.release("v1");
    h.act("PromoteRequested", { release: "v1", stage: "canary" });
    expect(h.record.at(-1)).toMatchObject({ type: "PromoteRefused", reason: "canary already runs v1" });
  });
});

describe("idempotence", () => {
  it("a second plan with the record extended by the first adds nothing", () => {
    const h = new PipelineHarness(
      threeStages({
        staging: { checks: [{ name: "it", templates: [{ templateName: "integration" }] }] },
        production: { approval: { required: 1 }, soak: "1h" },
      }),
    );
    h.rolloutsSettle = false;
    const points = [
      () => h.release("v1"),
      () => h.healthy("canary"),
      () => h.verdict("check-it", "Successful"),
      () => h.healthy("staging"),
      () => h.advance(3_600_000),
      () => h.act("Approved", { release: "v1", stage: "production" }),
    ];
    for (const point of points) {
      point();
      const input = h.input();
      const a = plan(input);
      expect(a.entries).toEqual([]);
      expect(plan(input)).toEqual(a);
    }
    expect(h.running().production).toBe("v1");
  });

  it("planning with only the clock moved changes nothing before wakeAt", () => {
    const h = new PipelineHarness(threeStages({ staging: { soak: "30m" } }));
    h.release("v1");
    const wake = h.last?.wakeAt;
    expect(wake?.toISOString()).toBe("2025-03-03T10:30:00.000Z");
    h.now = new Date((wake?.getTime() ?? 0) - 1);
    expect(h.plan().entries).toEqual([]);
    expect(h.plan().actions).toEqual([]);
  });

  it("promoting the release a stage already runs records Entered in the same plan, so a second plan adds nothing", () => {
    const h = new PipelineHarness(threeStages());
    h.stages.canary = { release: "v1", phase: "Progressing" };
    h.releases.push("v1");
    const first = h.plan();
    expect(first.entries.map((e) => `${e.type} ${e.stage}`)).toEqual(["Promoted canary", "Entered canary"]);
    h.record.push(...first.entries);
    expect(h.plan().entries).toEqual([]);
  });

  it("carries a release through every stage in one plan when nothing has to wait", () => {
    const h = new PipelineHarness(threeStages());
    h.releases.push("v1");
    for (const s of ["canary", "staging", "production"])
      h.stages[s] = { release: "v1", phase: "Healthy", healthySince: h.now.toISOString() };
    const result = h.plan();
    expect(result.entries.filter((e) => e.type === "Promoted").map((e) => e.stage)).toEqual([
      "canary",
      "staging",
      "production",
    ]);
    expect(result.actions).toEqual([]);
  });

  it("ignores entries of other pipelines", () => {
    const h = new PipelineHarness(threeStages());
    h.releases.push("v1");
    h.record.push({
      time: h.now.toISOString(),
      pipeline: "other",
      release: "v1",
      type: "Rejected",
      actor: "x",
      reason: "",
    });
    h.settle();
    expect(h.running().production).toBe("v1");
  });
});
