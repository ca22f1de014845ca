import { describe, expect, it } from "vitest";
import { PipelineApprovalSpec } from "./approval.js";

const spec = { pipeline: "shop", release: "v2", decision: "approve", reason: "ok", requester: "alice" };

describe("PipelineApprovalSpec", () => {
  it("needs a stage for stage decisions and refuses one for release decisions", () => {
    expect(PipelineApprovalSpec.safeParse({ ...spec, stage: "prod" }).success).toBe(true);
    expect(PipelineApprovalSpec.safeParse(spec).error?.issues[0]?.message).toBe("approve needs a stage");
    expect(PipelineApprovalSpec.safeParse({ ...spec, decision: "reject" }).success).toBe(true);
    expect(
      PipelineApprovalSpec.safeParse({ ...spec, decision: "reject", stage: "prod" }).error?.issues[0]?.message,
    ).toBe("reject is about the whole release; leave stage out");
  });
  it("requires a reason and a requester, and bounds the groups", () => {
    expect(PipelineApprovalSpec.safeParse({ ...spec, stage: "prod", reason: "" }).success).toBe(false);
    expect(PipelineApprovalSpec.safeParse({ ...spec, stage: "prod", requester: undefined }).success).toBe(false);
    const groups = Array.from({ length: 21 }, (_, i) => `g${i}`);
    expect(PipelineApprovalSpec.safeParse({ ...spec, stage: "prod", groups }).success).toBe(false);
  });
});
