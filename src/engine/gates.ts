import type { GateStatus, GateTimeout, HookType, RevisionStatus, RolloutHook } from "../model/index.js";
import { durationMs } from "../model/index.js";
import { abortRollout } from "./abort.js";
import { emit, label, type ReconcileContext } from "./context.js";

/** How one gate or hook check stands after this reconcile. */
export type GateOutcome = "open" | "wait" | "aborted";

/** A place the rollout may be held: a hook of the spec, or a `gate` step. */
export interface GatePoint {
  /** Unique per revision: `hook/<name>`, `hook/<name>/<step>` or `step/<index>`. */
  key: string;
  name: string;
  type: HookType | "gate";
  /** Absent for a `gate` step and for manual hooks: only a person opens those. */
  hook?: RolloutHook;
  timeout?: GateTimeout;
  /** Index of the step the gate sits before (payload), if any. */
  step?: number;
  /** Canary weight when the gate is asked (payload). */
  weight: number;
}

/** A hook call's answer, as the controller's hook runner reports it for one try. */
export interface HookAnswer {
  revision: string;
  attempt: number;
  ok: boolean;
  /** One line: "HTTP 200", "answered HTTP 503 (...)", "timed out after 10s". Never a secret. */
  message: string;
  /** When the try ended. */
  at: string;
}

/** Hook types whose failures count against `failureLimit`, and whose success does not end them. */
const CHECK_TYPES: readonly string[] = ["pre-rollout", "rollout"];

function entryOf(ctx: ReconcileContext, point: GatePoint, canary: RevisionStatus): GateStatus {
  ctx.status.gates ??= [];
  const gates = ctx.status.gates;
  let entry = gates.find((g) => g.key === point.key && g.revision === canary.hash);
  if (!entry) {
    entry = {
      key: point.key,
      name: point.name,
      type: point.type,
      revision: canary.hash,
      waitingSince: ctx.nowIso,
      attempts: 0,
      failures: 0,
    };
    gates.push(entry);
    if (point.type !== "rollout" && point.type !== "rollback")
      emit(ctx, "GateWaiting", `${what(point)} waits before ${where(point, canary)}`);
  }
  return entry;
}

function what(point: GatePoint): string {
  if (point.type === "gate") return `gate "${point.name}"`;
  return `${point.type} hook "${point.name}"${point.hook ? "" : " (manual)"}`;
}

function where(point: GatePoint, canary: RevisionStatus): string {
  return point.step === undefined ? label(canary) : `step ${point.step + 1} of ${label(canary)}`;
}

/**
 * Asks a gate or a hook check whether the rollout may go on. Pure: a hook call is an action
 * (`runHook`) the controller carries out, and its answer comes back in the observation on a later
 * reconcile. Everything needed to resume — waiting since, tries, failures, last answer, next try,
 * who opened it — is in `status.gates`, so a controller restart loses nothing; a try in flight
 * when the controller died is simply asked again.
 */
export function passGate(ctx: ReconcileContext, point: GatePoint, canary: RevisionStatus): GateOutcome {
  const entry = entryOf(ctx, point, canary);
  if (entry.openedAt !== undefined) return "open";
  recordAnswer(ctx, point, entry);
  if (entry.openedAt !== undefined) return "open";
  if (point.hook && CHECK_TYPES.includes(point.type) && entry.failures > point.hook.failureLimit) {
    abortRollout(
      ctx,
      point.type === "pre-rollout" ? "PreRolloutHookFailed" : "RolloutHookFailed",
      `${what(point)} failed ${entry.failures} time(s), more than its failureLimit ${point.hook.failureLimit}: ${entry.lastAnswer ?? ""}`,
    );
    return "aborted";
  }
  if (point.timeout) {
    const end = Date.parse(entry.waitingSince) + durationMs(point.timeout.after);
    if (ctx.now.getTime() >= end) {
      if (point.timeout.action === "continue") {
        open(ctx, point, entry, "timeout", `no answer within ${point.timeout.after}; going on as configured`);
        return "open";
      }
      abortRollout(ctx, "GateTimedOut", `${what(point)} was not opened within ${point.timeout.after}`);
      return "aborted";
    }
    wakeAt(ctx, end);
  }
  if (point.hook) askAgain(ctx, point, entry, canary);
  ctx.message = waitingMessage(ctx, point, entry, canary);
  return "wait";
}

/**
 * A polled hook that never holds the rollout: `rollback` aborts it when it succeeds; `rollout`
 * counts failures like failed measurements and aborts past its failureLimit.
 */
export function pollHook(ctx: ReconcileContext, point: GatePoint, canary: RevisionStatus): "aborted" | "ok" {
  const entry = entryOf(ctx, point, canary);
  const answered = recordAnswer(ctx, point, entry, false);
  if (point.type === "rollback" && answered?.ok) {
    abortRollout(ctx, "RollbackHook", `rollback hook "${point.name}" asked for a rollback: ${answered.message}`);
    return "aborted";
  }
  if (point.type === "rollout" && point.hook && entry.failures > point.hook.failureLimit) {
    abortRollout(
      ctx,
      "RolloutHookFailed",
      `${what(point)} failed ${entry.failures} time(s), more than its failureLimit ${point.hook.failureLimit}: ${entry.lastAnswer ?? ""}`,
    );
    return "aborted";
  }
  askAgain(ctx, point, entry, canary);
  return "ok";
}

/** Takes the runner's answer to the pending try, if it has come. Returns it. */
function recordAnswer(
  ctx: ReconcileContext,
  point: GatePoint,
  entry: GateStatus,
  opens = true,
): HookAnswer | undefined {
  const answer = ctx.observation.hookAnswers?.[point.key];
  if (
    entry.pendingAttempt === undefined ||
    !answer ||
    answer.revision !== entry.revision ||
    answer.attempt !== entry.pendingAttempt
  )
    return undefined;
  delete entry.pendingAttempt;
  entry.lastAnswer = answer.message.slice(0, 1000);
  entry.lastAnsweredAt = answer.at;
  const interval = (point.hook?.intervalSeconds ?? 10) * 1000;
  entry.nextTryAt = new Date(Math.max(Date.parse(answer.at), 0) + interval).toISOString();
  if (!answer.ok) {
    entry.failures += 1;
    if (point.type !== "rollback")
      emit(ctx, "HookFailed", `${what(point)} failed (try ${answer.attempt}): ${entry.lastAnswer}`, "Warning");
  } else if (opens) open(ctx, point, entry, `hook ${point.name}`, entry.lastAnswer);
  return answer;
}

function open(ctx: ReconcileContext, point: GatePoint, entry: GateStatus, by: string, why: string): void {
  entry.openedAt = ctx.nowIso;
  entry.openedBy = by;
  entry.reason = why.slice(0, 1000);
  delete entry.nextTryAt;
  emit(ctx, "GateOpened", `${what(point)} opened by ${by}: ${entry.reason}`);
}

/** Starts the next try once the interval since the last answer has passed; else wakes then. */
function askAgain(ctx: ReconcileContext, point: GatePoint, entry: GateStatus, canary: RevisionStatus): void {
  if (entry.pendingAttempt === undefined) {
    const next = entry.nextTryAt === undefined ? ctx.now.getTime() : Date.parse(entry.nextTryAt);
    if (ctx.now.getTime() < next) {
      wakeAt(ctx, next);
      return;
    }
    entry.attempts += 1;
    entry.pendingAttempt = entry.attempts;
    delete entry.nextTryAt;
  }
  // Every reconcile repeats the pending try: a runner that already has it ignores the repeat, and a
  // restarted controller, which lost it, runs it again.
  ctx.hookActions.push({
    type: "runHook",
    key: point.key,
    hook: point.name,
    hookType: point.type as HookType,
    attempt: entry.pendingAttempt as number,
    revision: canary.hash,
    weight: point.weight,
    ...(point.step === undefined ? {} : { step: point.step }),
  });
}

function wakeAt(ctx: ReconcileContext, at: number): void {
  if (at > ctx.now.getTime()) ctx.wakes.push(at);
}

function waitingMessage(ctx: ReconcileContext, point: GatePoint, entry: GateStatus, canary: RevisionStatus): string {
  const name = ctx.rollout.metadata.name;
  const base = `waiting at ${what(point)} before ${where(point, canary)}`;
  if (!point.hook) return `${base}; open it with: sluice gate open ${name} --gate ${point.name}`;
  const last = entry.lastAnswer === undefined ? "" : `; last answer: ${entry.lastAnswer}`;
  return `${base}${last}`;
}

/** The hooks of a type, in spec order. */
export function hooksOf(ctx: ReconcileContext, type: HookType): RolloutHook[] {
  return (ctx.spec.hooks ?? []).filter((h) => h.type === type);
}

/** A hook as a gate point: manual hooks carry no call. */
export function hookPoint(hook: RolloutHook, weight: number, step?: number): GatePoint {
  return {
    key: step === undefined ? `hook/${hook.name}` : `hook/${hook.name}/${step}`,
    name: hook.name,
    type: hook.type,
    ...(hook.manual === undefined ? { hook } : {}),
    ...(hook.timeout ? { timeout: hook.timeout } : {}),
    ...(step === undefined ? {} : { step }),
    weight,
  };
}

/**
 * Passes every hook of `type` in order, stopping at the first that holds or aborts the rollout.
 * `step` makes a per-step key (confirm-traffic-increase asks again before each increase).
 */
export function passHooks(
  ctx: ReconcileContext,
  type: HookType,
  canary: RevisionStatus,
  weight: number,
  step?: number,
): GateOutcome {
  for (const hook of hooksOf(ctx, type)) {
    const outcome = passGate(ctx, hookPoint(hook, weight, step), canary);
    if (outcome !== "open") return outcome;
  }
  return "open";
}

/** Keeps only the gates of the revision being rolled out: a new revision asks every gate again. */
export function keepGatesOf(ctx: ReconcileContext, revision: string | undefined): void {
  const s = ctx.status;
  const kept = revision === undefined ? [] : (s.gates ?? []).filter((g) => g.revision === revision);
  if (kept.length > 0) s.gates = kept;
  else delete s.gates;
}
