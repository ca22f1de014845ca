import { describe, expect, it } from "vitest";
import { mayApprove } from "./approval.js";
import { PipelineHarness, threeStages } from "./testing.js";

function approvalPipeline(approval: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const h = new PipelineHarness(threeStages({ production: { approval, ...extra } }));
  h.release("v1");
  return h;
}

describe("approval", () => {
  it("is requested once the other gates pass, and promotes when approved", () => {
    const h = approvalPipeline({ required: 1, timeout: "2h" });
    expect(h.entries("ApprovalRequested")).toEqual(["ApprovalRequested production v1"]);
    expect(h.record.at(-1)?.reason).toBe("needs 1 approval; expires at 2025-03-03T12:00:00.000Z");
    expect(h.view("production").gates).toEqual([
      {
        gate: "approval",
        state: "Waiting",
        message: "needs 1 approval; expires at 2025-03-03T12:00:00.000Z",
        until: "2025-03-03T12:00:00.000Z",
      },
    ]);
    expect(h.last?.wakeAt?.toISOString()).toBe("2025-03-03T12:00:00.000Z");
    h.advance(60_000);
    h.act("Approved", { release: "v1", stage: "production", actor: "alice", reason: "looks good" });
    expect(h.running().production).toBe("v1");
    expect(h.record.find((e) => e.type === "Promoted" && e.stage === "production")?.reason).toBe(
      "passed the gates of production; approved by alice",
    );
  });

  it("is not requested before soak has passed", () => {
    const h = approvalPipeline({ required: 1 }, { soak: "1h" });
    expect(h.entries("ApprovalRequested")).toEqual([]);
    expect(h.view("production").gates.map((g) => `${g.gate}:${g.state}`)).toEqual(["soak:Waiting", "approval:Waiting"]);
    h.advance(3_600_000);
    expect(h.entries("ApprovalRequested")).toEqual(["ApprovalRequested production v1"]);
  });

  it("counts each person once, however many times they approve", () => {
    const h = approvalPipeline({ required: 2 });
    h.act("Approved", { release: "v1", stage: "production", actor: "alice" });
    h.act("Approved", { release: "v1", stage: "production", actor: "alice" });
    expect(h.running().production).toBeUndefined();
    expect(h.view("production").gates[0]?.message).toMatch(/^needs 2 approvals \(approved by alice\)/);
    h.act("Approved", { release: "v1", stage: "production", actor: "bob" });
    expect(h.running().production).toBe("v1");
    expect(h.entries("GatePassed")).toEqual(["GatePassed production v1"]);
  });

  it("counts only allowed roles and names", () => {
    const h = approvalPipeline({ required: 2, from: { roles: ["release-manager"], names: ["zoe"] } });
    h.act("Approved", { release: "v1", stage: "production", actor: "mallory", roles: ["operator"] });
    h.act("Approved", { release: "v1", stage: "production", actor: "rm1", roles: ["release-manager"] });
    expect(h.running().production).toBeUndefined();
    h.act("Approved", { release: "v1", stage: "production", actor: "zoe" });
    expect(h.running().production).toBe("v1");
    expect(h.record.find((e) => e.type === "GatePassed")?.reason).toBe("approved by rm1, zoe");
  });

  it("ignores approvals for another stage or release", () => {
    const h = approvalPipeline({ required: 1 });
    h.act("Approved", { release: "v1", stage: "staging" });
    h.act("Approved", { release: "v0", stage: "production" });
    expect(h.running().production).toBeUndefined();
  });

  it("an allowed denial rejects the release, naming who denied", () => {
    const h = approvalPipeline({ required: 1, from: { names: ["alice"] } });
    h.act("Denied", { release: "v1", stage: "production", actor: "eve" });
    expect(h.entries("Rejected")).toEqual([]);
    h.act("Denied", { release: "v1", stage: "production", actor: "alice", reason: "not during the sale" });
    expect(h.record.filter((e) => e.type === "Rejected")).toMatchObject([
      { actor: "alice", reason: "production: denied by alice: not during the sale" },
    ]);
    h.act("Approved", { release: "v1", stage: "production", actor: "alice" });
    expect(h.running().production).toBeUndefined();
  });

  it("expires at the timeout and, with onTimeout wait, asks again; old approvals no longer count", () => {
    const h = approvalPipeline({ required: 2, timeout: "1h", onTimeout: "wait" });
    h.act("Approved", { release: "v1", stage: "production", actor: "alice" });
    h.advance(3_600_000 - 1);
    expect(h.entries("Expired")).toEqual([]);
    h.advance(1);
    expect(h.entries("ApprovalRequested", "Expired")).toEqual([
      "ApprovalRequested production v1",
      "Expired production v1",
      "ApprovalRequested production v1",
    ]);
    expect(h.last?.wakeAt?.toISOString()).toBe("2025-03-03T12:00:00.000Z");
    h.act("Approved", { release: "v1", stage: "production", actor: "bob" });
    expect(h.running().production).toBeUndefined();
    h.act("Approved", { release: "v1", stage: "production", actor: "alice" });
    expect(h.running().production).toBe("v1");
  });

  it("an approval written after expiry but before the controller noticed does not count", () => {
    const h = approvalPipeline({ required: 1, timeout: "1h", onTimeout: "reject" });
    h.now = new Date(h.now.getTime() + 3_600_000);
    h.act("Approved", { release: "v1", stage: "production", actor: "alice" });
    expect(h.entries("Expired", "Rejected")).toEqual(["Expired production v1", "Rejected production v1"]);
    expect(h.running().production).toBeUndefined();
  });

  it("once passed, no longer expires while the window is closed", () => {
    const window = { timeZone: "UTC", allow: [{ days: "Mon-Fri", from: "12:00", to: "13:00" }] };
    const h = approvalPipeline({ required: 1, timeout: "10m" }, { window });
    h.act("Approved", { release: "v1", stage: "production" });
    expect(h.last?.wakeAt?.toISOString()).toBe("2025-03-03T12:00:00.000Z");
    h.wake();
    expect(h.entries("Expired")).toEqual([]);
    expect(h.running().production).toBe("v1");
  });

  it("after un-rejection starts a new request", () => {
    const h = approvalPipeline({ required: 1, timeout: "1h", onTimeout: "reject" });
    h.advance(3_600_000);
    h.act("Unrejected", { release: "v1", reason: "on call now" });
    expect(h.entries("ApprovalRequested")).toHaveLength(2);
    h.act("Approved", { release: "v1", stage: "production" });
    expect(h.running().production).toBe("v1");
  });
});

describe("mayApprove", () => {
  const gate = (from: Record<string, string[]>) => ({ required: 1, from, timeout: "1h", onTimeout: "wait" as const });
  it("allows anyone when from is empty, else the named people and role holders", () => {
    expect(mayApprove(gate({}), { actor: "x" })).toBe(true);
    expect(mayApprove(gate({ names: ["a"] }), { actor: "x" })).toBe(false);
    expect(mayApprove(gate({ names: ["a"] }), { actor: "a" })).toBe(true);
    expect(mayApprove(gate({ roles: ["approver"] }), { actor: "x", actorRoles: ["viewer"] })).toBe(false);
    expect(mayApprove(gate({ roles: ["approver"] }), { actor: "x", actorRoles: ["approver"] })).toBe(true);
  });
});
