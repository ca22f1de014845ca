import { describe, expect, it } from "vitest";
import { Pipeline, type RecordEntry } from "../model/index.js";
import { pipelinePayload } from "./pipeline-payload.js";

const pipeline = (namespace?: string) =>
  Pipeline.parse({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Pipeline",
    metadata: { name: "shop", ...(namespace ? { namespace } : {}) },
    spec: {
      stages: [
        { name: "canary", rollout: "shop-canary" },
        { name: "prod", rollout: "shop-prod" },
      ],
    },
  });

const entry = (type: RecordEntry["type"], fields: Partial<RecordEntry> = {}): RecordEntry => ({
  time: "2025-06-03T09:14:27.512Z",
  pipeline: "shop",
  release: "v2.0",
  stage: "prod",
  type,
  actor: "sluice",
  reason: "",
  ...fields,
});

const requested = entry("ApprovalRequested", {
  gate: "approval",
  reason: "needs 1 approval from role approver; expires at 2025-06-03T17:14:27.512Z",
});

describe("pipelinePayload", () => {
  it("json: says pipeline, stage, release, type, actor, reason and time", () => {
    expect(pipelinePayload("json", { pipeline: pipeline(), entry: requested })).toEqual({
      pipeline: "shop",
      stage: "prod",
      release: "v2.0",
      type: "ApprovalRequested",
      actor: "sluice",
      reason: requested.reason,
      time: requested.time,
    });
  });

  it("json: adds the namespace on Kubernetes and leaves out the stage of a whole-release entry", () => {
    const { stage: _, ...rejected } = entry("Rejected", { actor: "alice", reason: "CVE-2025-1234" });
    expect(pipelinePayload("json", { pipeline: pipeline("web"), entry: rejected })).toEqual({
      pipeline: "shop",
      namespace: "web",
      release: "v2.0",
      type: "Rejected",
      actor: "alice",
      reason: "CVE-2025-1234",
      time: rejected.time,
    });
  });

  it.each(
    (
      [
        [
          requested,
          "shop: v2.0 waits for approval in prod (needs 1 approval from role approver; expires at 2025-06-03T17:14:27.512Z) — sluice approve shop prod --release v2.0 --reason …",
        ],
        [
          entry("Approved", { actor: "alice", reason: "looks good" }),
          "shop: v2.0 approved for prod by alice: looks good",
        ],
        [
          entry("Denied", { actor: "bob", reason: "not on a Friday" }),
          ":warning: shop: v2.0 denied for prod by bob: not on a Friday",
        ],
        [
          entry("Expired", { reason: "approval request expired with 0 of 1 approvals" }),
          ":warning: shop: v2.0 in prod: Expired: approval request expired with 0 of 1 approvals",
        ],
        [
          entry("Rejected", { stage: "canary", reason: "canary: v2.0 failed in canary" }),
          ":warning: shop: v2.0 is rejected and goes to no further stage: canary: v2.0 failed in canary",
        ],
        [entry("Promoted", { reason: "passed every gate" }), "shop: v2.0 promoted into prod: passed every gate"],
        [
          entry("RolledBack", { release: "v1.9", actor: "carol", reason: "hotfix pending" }),
          "shop: prod rolled back to v1.9 by carol: hotfix pending",
        ],
        [
          entry("Failed", { stage: "canary", reason: "shop-canary aborted: error-rate 0.12 > 0.01" }),
          ":warning: shop: v2.0 failed in canary: shop-canary aborted: error-rate 0.12 &gt; 0.01",
        ],
        [
          entry("Healthy", { reason: "shop-prod is Healthy on v2.0" }),
          "shop: v2.0 in prod: Healthy: shop-prod is Healthy on v2.0",
        ],
      ] as const
    ).map(([e, text]) => [e.type, e, text] as const),
  )("slack: %s", (_type, e, text) => {
    expect(pipelinePayload("slack", { pipeline: pipeline(), entry: e })).toEqual({ text });
  });

  it("slack: names the namespace and keeps a reason that spans lines on one line", () => {
    const e = entry("Approved", { actor: "alice", reason: "checked:\n  dashboards\n  runbook\n" });
    expect(pipelinePayload("slack", { pipeline: pipeline("web"), entry: e })).toEqual({
      text: "web/shop: v2.0 approved for prod by alice: checked: dashboards runbook",
    });
  });
});
