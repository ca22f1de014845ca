import { z } from "zod";
import { API_VERSION, ObjectMeta } from "./meta.js";
import { StageName } from "./pipeline.js";

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const Name = z.string().min(1).max(63).regex(NAME_RE, "must be a Kubernetes name (lowercase letters, digits and '-')");

/** What a person decides. The stage-less ones (`reject`, `unreject`) are about the release as a whole. */
export const ApprovalDecision = z.enum(["approve", "deny", "promote", "retry", "reject", "unreject"]);
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

/** The decisions that name a stage. */
export const STAGE_DECISIONS: readonly ApprovalDecision[] = ["approve", "deny", "promote", "retry"];

/**
 * A person's decision on a pipeline, on Kubernetes, where people act through the API server rather
 * than Sluice's API. `requester` must be the user the API server authenticated and `groups` a subset
 * of their groups; the ValidatingAdmissionPolicy in deploy/pipeline-approval-policy.yaml refuses any
 * other object, so the record's actor cannot be forged.
 */
export const PipelineApprovalSpec = z
  .strictObject({
    pipeline: Name,
    release: Name,
    /** Required for approve, deny, promote and retry; left out for reject and unreject. */
    stage: StageName.optional(),
    decision: ApprovalDecision,
    reason: z.string().min(1).max(1024),
    /** The requesting user's name, exactly as the API server authenticates them. */
    requester: z.string().min(1).max(253),
    /** Groups of the requester to act with: the roles an approval gate's `from.roles` is checked against. */
    groups: z.array(z.string().min(1).max(63)).max(20).optional(),
  })
  .check((ctx) => {
    const s = ctx.value;
    const needsStage = STAGE_DECISIONS.includes(s.decision);
    if (needsStage && s.stage === undefined)
      ctx.issues.push({ code: "custom", input: s, path: ["stage"], message: `${s.decision} needs a stage` });
    if (!needsStage && s.stage !== undefined)
      ctx.issues.push({
        code: "custom",
        input: s,
        path: ["stage"],
        message: `${s.decision} is about the whole release; leave stage out`,
      });
  });
export type PipelineApprovalSpec = z.infer<typeof PipelineApprovalSpec>;

/** What the controller made of an approval: recorded (with its entry's sequence number) or refused. */
export const PipelineApprovalStatus = z.strictObject({
  phase: z.enum(["Recorded", "Refused"]),
  message: z.string().max(2048).optional(),
  seq: z.number().int().min(0).optional(),
  time: z.string().max(64).optional(),
});
export type PipelineApprovalStatus = z.infer<typeof PipelineApprovalStatus>;

export const PipelineApproval = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal("PipelineApproval"),
  metadata: ObjectMeta,
  spec: PipelineApprovalSpec,
  status: PipelineApprovalStatus.optional(),
});
export type PipelineApproval = z.infer<typeof PipelineApproval>;
