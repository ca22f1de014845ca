import type { RecordEntry } from "../../model/index.js";
import { describeApprovers, mayApprove } from "../../pipeline/approval.js";
import { type PlanInput, promoteRefusal } from "../../pipeline/index.js";
import {
  type Actor,
  type PipelineRequest,
  PipelineRequestError,
  REQUEST_ENTRY_TYPE,
} from "../../ports/control-plane.js";

/**
 * Checks a person's request against the pipeline as it stands and returns the record entry that
 * grants it, or throws {@link PipelineRequestError} saying why not. Pure: the caller appends the
 * entry. Refusing here, rather than recording a request the planner would ignore, is what makes an
 * approval count exactly once and lets the person see at once that it did not.
 */
export function requestEntry(
  input: PlanInput,
  request: PipelineRequest,
  actor: Actor & { roles?: readonly string[] },
  now: Date,
): RecordEntry {
  const roles = actor.roles ?? [actor.role];
  const pipeline = input.pipeline.name;
  const release = request.release;
  if (!input.releases.some((r) => r.metadata.name === release))
    throw new PipelineRequestError(
      `pipeline ${pipeline} has no release "${release}"; list them with sluice get releases`,
      "NotFound",
    );
  const entry: RecordEntry = {
    time: now.toISOString(),
    pipeline,
    release,
    type: REQUEST_ENTRY_TYPE[request.type],
    actor: actor.name,
    actorRoles: [...roles],
    reason: request.reason,
  };
  if (!("stage" in request)) {
    const rejected = lastOf(input, release, undefined, ["Rejected", "Unrejected"])?.type === "Rejected";
    if (request.type === "reject" && rejected) throw conflict(`release ${release} is already rejected`);
    if (request.type === "unreject" && !rejected) throw conflict(`release ${release} is not rejected`);
    return entry;
  }
  const stage = input.pipeline.spec.stages.find((s) => s.name === request.stage);
  if (!stage)
    throw new PipelineRequestError(
      `pipeline ${pipeline} has no stage "${request.stage}"; its stages are ${input.pipeline.spec.stages.map((s) => s.name).join(", ")}`,
      "NotFound",
    );
  const withStage = { ...entry, stage: stage.name };
  if (request.type === "promote") {
    const refusal = promoteRefusal(input, stage.name, release);
    if (refusal) throw conflict(`cannot promote ${release} into ${stage.name}: ${refusal}`);
    return withStage;
  }
  if (request.type === "retry") return withStage;

  const gate = stage.approval;
  if (!gate) throw conflict(`stage ${stage.name} of pipeline ${pipeline} has no approval gate`);
  if (!mayApprove(gate, withStage)) {
    const who = describeApprovers(gate);
    throw new PipelineRequestError(
      `${actor.name} (${roles.length > 0 ? `role ${roles.join(", ")}` : "no role"}) may not ${request.type} ${stage.name}: it takes approvals from ${who}`,
      "Forbidden",
    );
  }
  const open = lastOf(input, release, stage.name, ["ApprovalRequested", "GatePassed", "Expired", "Rejected"]);
  if (open?.type !== "ApprovalRequested")
    throw conflict(
      `release ${release} is not waiting for approval in ${stage.name}; see sluice get pipeline ${pipeline}`,
    );
  const openIndex = input.record.lastIndexOf(open);
  const mine = input.record
    .slice(openIndex + 1)
    .find((e) => e.stage === stage.name && e.release === release && e.actor === actor.name && isAnswer(e.type));
  if (mine)
    throw conflict(`${actor.name} already ${mine.type.toLowerCase()} ${release} for ${stage.name} at ${mine.time}`);
  return withStage;
}

function isAnswer(type: RecordEntry["type"]): boolean {
  return type === "Approved" || type === "Denied";
}

function conflict(message: string): PipelineRequestError {
  return new PipelineRequestError(message, "Conflict");
}

function lastOf(
  input: PlanInput,
  release: string,
  stage: string | undefined,
  types: readonly RecordEntry["type"][],
): RecordEntry | undefined {
  for (let i = input.record.length - 1; i >= 0; i--) {
    const e = input.record[i]!;
    if (e.pipeline !== input.pipeline.name || e.release !== release) continue;
    // A rejection of the whole release closes every stage's request.
    const closesStage = e.stage === undefined && e.type === "Rejected";
    if (stage !== undefined && e.stage !== stage && !closesStage) continue;
    if (types.includes(e.type)) return e;
  }
  return undefined;
}
