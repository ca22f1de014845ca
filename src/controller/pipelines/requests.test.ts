import { describe, expect, it } from "vitest";
import { PipelineSpec, type RecordEntry } from "../../model/index.js";
import type { PlanInput } from "../../pipeline/index.js";
import { requestEntry } from "./requests.js";

const now = new Date("2026-01-01T00:00:00Z");
const spec = PipelineSpec.parse({
  stages: [
    { name: "canary", rollout: "c" },
    { name: "prod", rollout: "p", approval: { required: 1, from: { roles: ["approver"] } } },
  ],
});
const entry = (type: RecordEntry["type"], stage?: string, actor = "sluice"): RecordEntry => ({
  time: "2025-12-31T23:00:00Z",
  pipeline: "shop",
  release: "v2",
  ...(stage ? { stage } : {}),
  type,
  actor,
  reason: "",
});
const input = (record: RecordEntry[]): PlanInput => ({
  pipeline: { name: "shop", spec },
  releases: [{ metadata: { name: "v2" } }],
  stages: {},
  record,
  runs: {},
  now,
});
const alice = { name: "alice", role: "approver" };
const approve = { type: "approve", stage: "prod", release: "v2", reason: "ok" } as const;

describe("requestEntry", () => {
  it("records an approval from an allowed role while a request is open, with who and why", () => {
    const e = requestEntry(input([entry("ApprovalRequested", "prod")]), approve, alice, now);
    expect(e).toMatchObject({
      type: "Approved",
      stage: "prod",
      actor: "alice",
      actorRoles: ["approver"],
      reason: "ok",
    });
  });
  it("refuses an actor the gate does not accept", () => {
    expect(() =>
      requestEntry(input([entry("ApprovalRequested", "prod")]), approve, { name: "bob", role: "operator" }, now),
    ).toThrow(/bob \(role operator\) may not approve prod: it takes approvals from role approver/);
  });
  it("checks a Kubernetes user's groups as roles, and records all of them", () => {
    const open = input([entry("ApprovalRequested", "prod")]);
    const kubeAlice = { name: "alice", role: "", roles: ["system:authenticated", "approver"] };
    expect(requestEntry(open, approve, kubeAlice, now).actorRoles).toEqual(["system:authenticated", "approver"]);
    expect(() => requestEntry(open, approve, { ...kubeAlice, roles: [] }, now)).toThrow(
      /alice \(no role\) may not approve prod/,
    );
  });
  it("refuses an approval nobody asked for, and a second one by the same person", () => {
    expect(() => requestEntry(input([]), approve, alice, now)).toThrow(/not waiting for approval/);
    const answered = [entry("ApprovalRequested", "prod"), entry("Approved", "prod", "alice")];
    expect(() => requestEntry(input(answered), approve, alice, now)).toThrow(/alice already approved v2/);
  });
  it("refuses an approval once a person rejected the whole release", () => {
    const rejected = [entry("ApprovalRequested", "prod"), entry("Rejected")];
    expect(() => requestEntry(input(rejected), approve, alice, now)).toThrow(/not waiting for approval/);
  });
  it("refuses unknown releases and stages, naming what exists", () => {
    expect(() => requestEntry(input([]), { ...approve, release: "v9" }, alice, now)).toThrow(/no release "v9"/);
    expect(() => requestEntry(input([]), { ...approve, stage: "qa" }, alice, now)).toThrow(
      /its stages are canary, prod/,
    );
  });
  it("rejects once and un-rejects only what is rejected", () => {
    const reject = { type: "reject", release: "v2", reason: "cve" } as const;
    expect(requestEntry(input([]), reject, alice, now)).toMatchObject({ type: "Rejected", actor: "alice" });
    expect(() => requestEntry(input([entry("Rejected")]), reject, alice, now)).toThrow(/already rejected/);
    expect(() => requestEntry(input([]), { ...reject, type: "unreject" }, alice, now)).toThrow(/is not rejected/);
  });
  it("refuses to promote a rejected release", () => {
    const promote = { type: "promote", stage: "prod", release: "v2", reason: "now" } as const;
    expect(() => requestEntry(input([entry("Rejected")]), promote, alice, now)).toThrow(/rejected/);
  });
});
