import { describe, expect, it } from "vitest";
import type { PipelineApproval, RecordEntry } from "../../model/index.js";
import {
  appendToStatus,
  approvalStatus,
  filterRecord,
  parseApproval,
  pendingApprovals,
  plannerView,
  RECORD_LIMIT,
  withPlannerView,
} from "./pipeline-status.js";

const entry = (type: RecordEntry["type"], release = "v2"): RecordEntry => ({
  time: "2026-01-01T00:00:00Z",
  pipeline: "shop",
  release,
  stage: "prod",
  type,
  actor: "sluice",
  reason: "",
});

const approval = (uid: string, spec: Partial<PipelineApproval["spec"]> = {}, created = "2026-01-01T10:00:00Z") =>
  ({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "PipelineApproval",
    metadata: { name: `a-${uid}`, uid, creationTimestamp: created },
    spec: {
      pipeline: "shop",
      release: "v2",
      stage: "prod",
      decision: "approve",
      reason: "ok",
      requester: "alice",
      groups: ["approvers"],
      ...spec,
    },
  }) as PipelineApproval;

const policy = { boundAt: new Date("2026-01-01T09:00:00Z"), denies: true };

describe("the record in a Pipeline's status", () => {
  it("numbers entries on from recordSeq and keeps the newest, with the stage view apart", () => {
    const first = appendToStatus(undefined, [entry("Promoted"), entry("Entered")], ["uid-1"]);
    expect(first.recorded.map((e) => e.seq)).toEqual([1, 2]);
    const withView = withPlannerView(first.status, { observedGeneration: 3, stages: [] });
    expect(plannerView(withView)).toEqual({ observedGeneration: 3, stages: [] });
    const next = appendToStatus(withView, [entry("Healthy")], []);
    expect(next.recorded[0]?.seq).toBe(3);
    expect(next.status).toMatchObject({ observedGeneration: 3, recordSeq: 3, settled: ["uid-1"] });

    const many = appendToStatus(
      next.status,
      Array.from({ length: RECORD_LIMIT }, () => entry("Healthy")),
      [],
    );
    expect(many.status.record).toHaveLength(RECORD_LIMIT);
    expect(many.status.record?.[0]?.seq).toBe(4);
    expect(many.status.recordSeq).toBe(RECORD_LIMIT + 3);
  });

  it("filters like the local record: by release, after a sequence number, the newest few", () => {
    const { status } = appendToStatus(undefined, [entry("Promoted", "v1"), entry("Promoted"), entry("Entered")], []);
    const record = status.record ?? [];
    expect(filterRecord(record, { release: "v2" }).map((e) => e.seq)).toEqual([2, 3]);
    expect(filterRecord(record, { sinceSeq: 1, limit: 1 }).map((e) => e.seq)).toEqual([3]);
  });
});

describe("pendingApprovals", () => {
  it("turns an unsettled approval into the requester's request, with their groups as roles", () => {
    const [p] = pendingApprovals("shop", [approval("u1")], new Set(), policy);
    expect(p).toEqual({
      id: "u1",
      request: { type: "approve", release: "v2", stage: "prod", reason: "ok" },
      actor: { name: "alice", role: "", roles: ["approvers"] },
    });
  });

  it("skips approvals already settled, by uid or by their own status, and other pipelines'", () => {
    const done = { ...approval("u2"), status: { phase: "Recorded" as const, seq: 4 } };
    const other = approval("u3", { pipeline: "other" });
    expect(pendingApprovals("shop", [approval("u1"), done, other], new Set(["u1"]), policy)).toEqual([]);
  });

  it("refuses, never trusts, an approval the requester policy did not check", () => {
    const refusal = (p: typeof policy | undefined, created?: string) =>
      pendingApprovals("shop", [approval("u1", {}, created)], new Set(), p)[0]?.refusal;
    expect(refusal(undefined)).toMatch(/sluice-pipeline-approvals is missing/);
    expect(refusal({ ...policy, denies: false })).toMatch(/does not deny/);
    expect(refusal(policy, "2026-01-01T08:59:59Z")).toMatch(/older than ValidatingAdmissionPolicyBinding/);
    expect(refusal(policy)).toBeUndefined();
  });

  it("orders approvals by creation, and makes reject a request about the whole release", () => {
    const later = approval("late", { decision: "reject", stage: undefined }, "2026-01-01T11:00:00Z");
    const pending = pendingApprovals("shop", [later, approval("early")], new Set(), policy);
    expect(pending.map((p) => p.id)).toEqual(["early", "late"]);
    expect(pending[1]?.request).toEqual({ type: "reject", release: "v2", reason: "ok" });
  });
});

describe("approvalStatus and parseApproval", () => {
  it("says which entry recorded an approval, or why it was refused", () => {
    const now = new Date("2026-01-01T12:00:00Z");
    const recorded = { ...entry("Approved"), seq: 8 };
    expect(approvalStatus({ id: "u1", entry: recorded }, recorded, now)).toMatchObject({ phase: "Recorded", seq: 8 });
    expect(approvalStatus({ id: "u1", refusal: "no" }, undefined, now)).toMatchObject({
      phase: "Refused",
      message: "no",
    });
  });

  it("reads an approval from the cache, and skips one Sluice's schema refuses", () => {
    const raw = {
      metadata: { name: "a", uid: "u", creationTimestamp: new Date("2026-01-01T00:00:00Z") },
      spec: approval("u").spec,
    };
    expect(parseApproval(raw)?.metadata.creationTimestamp).toBe("2026-01-01T00:00:00.000Z");
    expect(parseApproval({ ...raw, spec: { ...raw.spec, stage: undefined } })).toBeUndefined();
  });
});
