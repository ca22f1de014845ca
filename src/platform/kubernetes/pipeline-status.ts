import { type PipelineApproval, PipelineApprovalSpec, type RecordEntry } from "../../model/index.js";
import type { RecordedEntry } from "../../ports/control-plane.js";
import type { PendingRequest, RecordFilter, SettledRequest } from "../../ports/pipeline-store.js";

/** Newest record entries a Pipeline's status keeps; older ones remain in its Events and approvals. */
export const RECORD_LIMIT = 500;
/** Newest settled approval uids a Pipeline's status keeps (their own status says so too). */
export const SETTLED_LIMIT = 1_000;

/** The name of the ValidatingAdmissionPolicyBinding that proves an approval's requester (deploy/). */
export const APPROVAL_POLICY_BINDING = "sluice-pipeline-approvals";

/**
 * A Pipeline's status on Kubernetes: the planner's view of its stages (what the loop commits), the
 * record with its sequence counter, and the approvals already counted. Only the controller writes it,
 * through the status subresource, in one write per append: entries and settled approvals together.
 */
export interface KubePipelineStatus {
  observedGeneration?: number;
  stages?: unknown[];
  message?: string;
  record?: RecordedEntry[];
  recordSeq?: number;
  settled?: string[];
}

const RECORD_KEYS = ["record", "recordSeq", "settled"] as const;

/** The status the loop sees and compares: the stages' view, without the record it keeps apart. */
export function plannerView(status: KubePipelineStatus | undefined): Record<string, unknown> | undefined {
  if (!status) return undefined;
  const out: Record<string, unknown> = { ...status };
  for (const key of RECORD_KEYS) delete out[key];
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The loop's new view of the stages, keeping the record the status holds. */
export function withPlannerView(status: KubePipelineStatus | undefined, view: object): KubePipelineStatus {
  const kept: KubePipelineStatus = {};
  for (const key of RECORD_KEYS) if (status?.[key] !== undefined) Object.assign(kept, { [key]: status[key] });
  return { ...view, ...kept };
}

/** Appends entries (numbered on from `recordSeq`) and settled approval ids, each bounded to its newest. */
export function appendToStatus(
  status: KubePipelineStatus | undefined,
  entries: readonly RecordEntry[],
  settled: readonly string[],
): { status: KubePipelineStatus; recorded: RecordedEntry[] } {
  let seq = status?.recordSeq ?? 0;
  const recorded = entries.map((e) => ({ ...e, seq: ++seq }));
  const record = [...(status?.record ?? []), ...recorded];
  const ids = [...(status?.settled ?? []), ...settled];
  return {
    status: {
      ...status,
      record: record.slice(Math.max(0, record.length - RECORD_LIMIT)),
      recordSeq: seq,
      settled: ids.slice(Math.max(0, ids.length - SETTLED_LIMIT)),
    },
    recorded,
  };
}

/** The record filtered as the local store filters it: by release, after a sequence number, the newest `limit`. */
export function filterRecord(record: readonly RecordedEntry[], filter: RecordFilter = {}): RecordedEntry[] {
  let out = record.filter(
    (e) =>
      (filter.release === undefined || e.release === filter.release) &&
      (filter.sinceSeq === undefined || e.seq > filter.sinceSeq),
  );
  if (filter.limit !== undefined) out = out.slice(Math.max(0, out.length - filter.limit));
  return out;
}

/** What the cluster says about the admission policy that checks requesters. */
export interface ApprovalPolicy {
  /** When the binding was created; approvals older than it were never checked. */
  boundAt: Date;
  /** Its validationActions include Deny (Warn or Audit alone let a forged requester through). */
  denies: boolean;
}

/**
 * The approvals of `pipeline` not yet counted, oldest first. One that the requester policy did not
 * check (no binding, a binding that does not deny, or an approval created before it) is settled as
 * refused: its requester field is only what someone typed.
 */
export function pendingApprovals(
  pipeline: string,
  approvals: readonly PipelineApproval[],
  settled: ReadonlySet<string>,
  policy: ApprovalPolicy | undefined,
): PendingRequest[] {
  const out: PendingRequest[] = [];
  const open = approvals
    .filter((a) => a.spec.pipeline === pipeline && a.metadata.uid && !a.status && !settled.has(a.metadata.uid))
    .sort((a, b) => time(a) - time(b) || (a.metadata.name < b.metadata.name ? -1 : 1));
  for (const a of open) {
    const { spec } = a;
    const base = { type: spec.decision, release: spec.release, reason: spec.reason };
    const request =
      spec.decision === "reject" || spec.decision === "unreject"
        ? { ...base, type: spec.decision }
        : { ...base, type: spec.decision, stage: spec.stage ?? "" };
    const refusal = policyRefusal(a, policy);
    out.push({
      id: a.metadata.uid as string,
      request,
      actor: { name: spec.requester, role: "", roles: spec.groups ?? [] },
      ...(refusal ? { refusal } : {}),
    });
  }
  return out;
}

function policyRefusal(a: PipelineApproval, policy: ApprovalPolicy | undefined): string | undefined {
  const fix = `install deploy/pipeline-approval-policy.yaml, then create the approval again`;
  if (!policy)
    return `ValidatingAdmissionPolicyBinding ${APPROVAL_POLICY_BINDING} is missing, so the requester was not checked; ${fix}`;
  if (!policy.denies)
    return `ValidatingAdmissionPolicyBinding ${APPROVAL_POLICY_BINDING} does not deny (validationActions lacks Deny); ${fix}`;
  if (time(a) < policy.boundAt.getTime())
    return `the approval is older than ValidatingAdmissionPolicyBinding ${APPROVAL_POLICY_BINDING}, so its requester was not checked; create it again`;
  return undefined;
}

function time(a: PipelineApproval): number {
  const t = Date.parse(a.metadata.creationTimestamp ?? "");
  return Number.isNaN(t) ? 0 : t;
}

/** The status the controller writes on a settled approval: its record entry (with seq), or why it was refused. */
export function approvalStatus(
  settled: SettledRequest,
  entry: RecordedEntry | undefined,
  now: Date,
): PipelineApproval["status"] {
  if (entry)
    return { phase: "Recorded", seq: entry.seq, message: `recorded as ${entry.type}`, time: now.toISOString() };
  return { phase: "Refused", message: (settled.refusal ?? "refused").slice(0, 2048), time: now.toISOString() };
}

/** An approval object from the cache, or undefined when Sluice's schema refuses it. */
export function parseApproval(obj: unknown): PipelineApproval | undefined {
  const o = obj as { metadata?: Record<string, unknown>; spec?: unknown; status?: unknown };
  const spec = PipelineApprovalSpec.safeParse(o?.spec);
  if (!spec.success || typeof o.metadata?.uid !== "string" || typeof o.metadata.name !== "string") return undefined;
  const created = o.metadata.creationTimestamp;
  return {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "PipelineApproval",
    metadata: {
      name: o.metadata.name,
      uid: o.metadata.uid,
      ...(created ? { creationTimestamp: created instanceof Date ? created.toISOString() : String(created) } : {}),
    },
    spec: spec.data,
    ...(o.status && typeof o.status === "object" && "phase" in o.status
      ? { status: o.status as PipelineApproval["status"] }
      : {}),
  };
}
