import { type ApprovalGate, durationMs, type RecordEntry } from "../model/index.js";
import { type PlanContext, type ResolvedStage, record, reject, timeOf, wakeAt } from "./context.js";
import type { Sequenced } from "./ledger.js";
import type { GateView } from "./types.js";

/** Whether an entry's actor may approve or deny under the gate's `from`. */
export function mayApprove(gate: ApprovalGate, entry: Pick<RecordEntry, "actor" | "actorRoles">): boolean {
  const { roles, names } = gate.from;
  if (roles === undefined && names === undefined) return true;
  if (names?.includes(entry.actor)) return true;
  return (entry.actorRoles ?? []).some((r) => roles?.includes(r));
}

/** Who a gate takes approvals from, in words ("role approver or alice, bob"); empty when anyone may. */
export function describeApprovers(gate: ApprovalGate): string {
  return [
    ...(gate.from.roles?.length ? [`role ${gate.from.roles.join(" or ")}`] : []),
    ...(gate.from.names?.length ? [gate.from.names.join(", ")] : []),
  ].join(" or ");
}

function describeFrom(gate: ApprovalGate): string {
  const who = describeApprovers(gate);
  return who ? ` from ${who}` : "";
}

/**
 * The approval gate. A request is recorded once the earlier gates passed; approvals recorded after
 * it and before its expiry count once per person, only from allowed roles or names. An allowed
 * denial rejects the release. At expiry the request is Expired, then renewed (`onTimeout: wait`) or
 * the release rejected (`reject`). Once passed, the gate stays passed: expiry no longer applies.
 */
export function approvalGate(
  ctx: PlanContext,
  stage: ResolvedStage,
  release: string,
  attempt: { after: number },
  earlierPassed: boolean,
): { gate: GateView; approvedBy?: string[] } | undefined {
  const spec = stage.spec.approval;
  if (!spec) return undefined;
  const { ledger } = ctx;
  const passed = ledger.find(stage.name, release, ["GatePassed"], attempt.after).find((e) => e.gate === "approval");
  if (passed) return { gate: { gate: "approval", state: "Passed", message: passed.reason } };
  const need = `${spec.required} approval${spec.required === 1 ? "" : "s"}${describeFrom(spec)}`;
  if (!earlierPassed)
    return {
      gate: { gate: "approval", state: "Waiting", message: `needs ${need}; requested once the gates before it pass` },
    };
  const timeout = durationMs(spec.timeout);
  const newRequest = () => {
    const expires = new Date(ctx.now + timeout).toISOString();
    return record(ctx, "ApprovalRequested", {
      release,
      stage: stage.name,
      gate: "approval",
      reason: `needs ${need}; expires at ${expires}`,
    });
  };
  const request: Sequenced = ledger.last(stage.name, release, ["ApprovalRequested"], attempt.after) ?? newRequest();
  const expiry = timeOf(request.time) + timeout;
  const answers = ledger
    .find(stage.name, release, ["Approved", "Denied"], request.seq)
    .filter((e) => mayApprove(spec, e));
  const denial = answers.find((e) => e.type === "Denied" && timeOf(e.time) < expiry);
  if (denial) {
    const message = `denied by ${denial.actor}${denial.reason ? `: ${denial.reason}` : ""}`;
    reject(ctx, release, stage.name, `${stage.name}: ${message}`, denial.actor);
    return { gate: { gate: "approval", state: "Failed", message } };
  }
  const approvers = [
    ...new Set(answers.filter((e) => e.type === "Approved" && timeOf(e.time) < expiry).map((e) => e.actor)),
  ];
  if (approvers.length >= spec.required) {
    const message = `approved by ${approvers.join(", ")}`;
    record(ctx, "GatePassed", { release, stage: stage.name, gate: "approval", reason: message });
    return { gate: { gate: "approval", state: "Passed", message }, approvedBy: approvers };
  }
  // A request with a bad time can never be satisfied; treat it as expired so it is renewed.
  if (!(ctx.now < expiry)) {
    const have = `${approvers.length} of ${spec.required} approvals`;
    record(ctx, "Expired", {
      release,
      stage: stage.name,
      gate: "approval",
      reason: `approval request expired with ${have}`,
    });
    if (spec.onTimeout === "reject") {
      reject(ctx, release, stage.name, `${stage.name}: approval expired with ${have}`);
      return { gate: { gate: "approval", state: "Failed", message: `expired with ${have}` } };
    }
    newRequest();
    return waiting(ctx, need, approvers, ctx.now + timeout);
  }
  return waiting(ctx, need, approvers, expiry);
}

function waiting(ctx: PlanContext, need: string, approvers: string[], expiry: number) {
  wakeAt(ctx, expiry);
  const have = approvers.length > 0 ? ` (approved by ${approvers.join(", ")})` : "";
  const until = new Date(expiry).toISOString();
  return {
    gate: {
      gate: "approval" as const,
      state: "Waiting" as const,
      message: `needs ${need}${have}; expires at ${until}`,
      until,
    },
  };
}
