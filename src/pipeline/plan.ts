import type { RecordEntry } from "../model/index.js";
import {
  createContext,
  observe,
  type PlanContext,
  type ResolvedStage,
  record,
  reject,
  releaseIndex,
  timeOf,
} from "./context.js";
import { onFailure } from "./failure.js";
import { evaluateGates, type GatesOutcome } from "./gates.js";
import type { Sequenced } from "./ledger.js";
import type { PipelineEvent, PlanInput, PlanResult, StageObservation, StageView } from "./types.js";

/** Each pass that records something moves a stage on; a pipeline has at most 20 stages. */
const MAX_PASSES = 100;

const WARNING_TYPES = new Set(["Failed", "Rejected", "Expired", "Denied", "PromoteRefused"]);

/**
 * Decides what a pipeline needs now. Pure: the same input always gives the same result. Stages are
 * planned in list order, so a release that became Healthy in one stage is considered for the next
 * in the same plan.
 *
 * The controller appends `entries` to the record (one transaction) and then carries out `actions`.
 * Planning again with the record so extended adds no entry and starts nothing new; the actions it
 * lists again (a promotion whose rollout has not changed yet, a run not yet created) are
 * level-based, so repeating them is harmless. Planning with only `now` moved forward changes
 * nothing before `wakeAt`.
 */
export function plan(input: PlanInput): PlanResult {
  const ctx = createContext(input);
  let views: StageView[] = [];
  // Repeat until a pass records nothing, so the plan is a fixed point: what one pass records (a
  // release Healthy in a stage listed after the one that follows it, a promotion of the release
  // a stage already runs) is acted on now, and planning again with these entries adds none.
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const recorded = ctx.ledger.added.length;
    ctx.actions = [];
    ctx.wakes = [];
    for (const stage of ctx.stages) observeStage(ctx, stage);
    views = ctx.stages.map((stage) => planStage(ctx, stage));
    if (ctx.ledger.added.length === recorded) break;
  }
  desiredActions(ctx);
  const future = ctx.wakes.filter((t) => t > ctx.now);
  return {
    actions: ctx.actions,
    entries: ctx.ledger.added,
    events: [
      ...ctx.ledger.added.map(toEvent),
      ...ctx.warnings.map((w) => ({ type: "Warning" as const, reason: "PipelineWarning", ...w })),
    ],
    stages: views,
    ...(future.length > 0 ? { wakeAt: new Date(Math.min(...future)) } : {}),
  };
}

function toEvent(e: RecordEntry): PipelineEvent {
  const where = e.stage ? ` in ${e.stage}` : "";
  return {
    type: WARNING_TYPES.has(e.type) ? "Warning" : "Normal",
    reason: e.type,
    message: `${e.release}${where}: ${e.reason}`,
    ...(e.stage ? { stage: e.stage } : {}),
    release: e.release,
  };
}

/** Records what the stage's rollout shows of the release it runs: entered, Healthy, or failed. */
function observeStage(ctx: PlanContext, stage: ResolvedStage): void {
  const o = observe(ctx, stage.name);
  const release = o.release;
  // A stage known only from memory says nothing new: its last known state may have moved on.
  if (o.missing || o.unreachable || release === undefined) return;
  const desired = ctx.ledger.desired(stage.name);
  // A stage the pipeline never promoted into may already run a release (set up by hand); observe it too.
  if (desired !== undefined && desired.release !== release) return;
  const since = desired?.seq ?? -1;
  const { ledger } = ctx;
  if (desired && !ledger.last(stage.name, release, ["Entered"], since))
    record(ctx, "Entered", { release, stage: stage.name, reason: `${stage.spec.rollout} runs ${release}` });
  const failing = o.phase === "Degraded" || o.aborted === true;
  if (!failing && o.phase === "Healthy" && !ledger.last(stage.name, release, ["Healthy"], since))
    record(ctx, "Healthy", { release, stage: stage.name, reason: `${stage.spec.rollout} is Healthy on ${release}` });
  if (!failing) return;
  const unrejected = ledger.lastUnrejected(release);
  const after = Math.max(since, unrejected?.seq ?? -1);
  const rolloutFailures = (from: number) =>
    ledger.find(stage.name, release, ["Failed"], from).filter((e) => e.gate === undefined).length;
  if (rolloutFailures(after) > 0) return;
  // A person un-rejected the release after this failure: only a failure that began later counts.
  if (unrejected && rolloutFailures(since) > 0 && !(timeOf(o.failedAt) > timeOf(unrejected.time))) return;
  const reason = `${stage.spec.rollout} ${o.aborted ? "aborted" : "is Degraded"} on ${release}`;
  record(ctx, "Failed", { release, stage: stage.name, reason });
  reject(ctx, release, stage.name, `failed in ${stage.name}: ${reason}`);
  onFailure(ctx, stage.name, release);
}

/**
 * Why a person may not promote `release` into `stage` now, or undefined when they may. A release
 * that was Healthy in the stage before may always go back there (a rollback); any other must not be
 * rejected and must have passed every stage the stage follows. The API calls this to refuse a
 * request at once; the planner calls it again when it carries the request out.
 */
export function promoteRefusal(input: PlanInput, stage: string, release: string): string | undefined {
  return refusal(createContext(input), stage, release);
}

function refusal(ctx: PlanContext, stage: string, release: string): string | undefined {
  const s = ctx.stages.find((x) => x.name === stage);
  if (!s) return `pipeline ${ctx.input.pipeline.name} has no stage "${stage}"`;
  if (releaseIndex(ctx, release) < 0) return `pipeline ${ctx.input.pipeline.name} has no release "${release}"`;
  const rejected = ctx.ledger.rejected(release);
  if (rejected) return `release ${release} is rejected (${rejected.reason}); unreject it first`;
  if (ctx.ledger.passed(stage, release)) return undefined;
  const missing = s.after.filter((u) => !ctx.ledger.passed(u, release));
  if (missing.length > 0) return `release ${release} has not passed ${missing.join(", ")}`;
  return undefined;
}

/** The latest promote request for the stage that no later promotion or refusal answered. */
function pendingRequest(ctx: PlanContext, stage: string): Sequenced | undefined {
  const entries = ctx.ledger.stageEntries(stage, ["PromoteRequested", "PromoteRefused", "Promoted", "RolledBack"]);
  const last = entries.at(-1);
  return last?.type === "PromoteRequested" ? last : undefined;
}

/** The newest release that passed every stage before this one, is not rejected, and is newer than any this stage had. */
function autoCandidate(ctx: PlanContext, stage: ResolvedStage): string | undefined {
  const reached = ctx.ledger.stageEntries(stage.name, ["Promoted", "RolledBack"]);
  const highWater = Math.max(-1, ...reached.map((e) => releaseIndex(ctx, e.release)));
  const releases = ctx.input.releases;
  for (let i = releases.length - 1; i > highWater; i--) {
    const name = releases[i]?.metadata.name;
    if (name === undefined || ctx.order.get(name) !== i || ctx.ledger.rejected(name)) continue;
    if (stage.after.every((u) => ctx.ledger.passed(u, name))) return name;
  }
  return undefined;
}

function promote(ctx: PlanContext, stage: ResolvedStage, release: string, by: { actor?: string; reason: string }) {
  const current = ctx.ledger.desired(stage.name)?.release;
  const back = current !== undefined && releaseIndex(ctx, release) < releaseIndex(ctx, current);
  record(ctx, back ? "RolledBack" : "Promoted", {
    release,
    stage: stage.name,
    reason: by.reason,
    ...(by.actor ? { actor: by.actor } : {}),
  });
}

function planStage(ctx: PlanContext, stage: ResolvedStage): StageView {
  const o = observe(ctx, stage.name);
  if (o.missing) return view(ctx, stage, undefined, undefined, `rollout ${stage.spec.rollout} not found`);
  // Never start a promotion into a stage the hub cannot see: it could not tell whether it took.
  // A person's request stays pending and is carried out once the cluster answers.
  if (o.unreachable) return view(ctx, stage, undefined, undefined);
  let manual: Sequenced | undefined;
  const request = pendingRequest(ctx, stage.name);
  if (request) {
    const why = refusal(ctx, stage.name, request.release);
    const by = { actor: request.actor, reason: request.reason || `promoted by ${request.actor}` };
    const already = ctx.ledger.desired(stage.name)?.release === request.release;
    if (already)
      record(ctx, "PromoteRefused", {
        release: request.release,
        stage: stage.name,
        reason: `${stage.name} already runs ${request.release}`,
      });
    else if (why !== undefined)
      record(ctx, "PromoteRefused", { release: request.release, stage: stage.name, reason: why });
    else if (ctx.ledger.passed(stage.name, request.release)) promote(ctx, stage, request.release, by);
    else manual = request;
  }
  const candidate = manual?.release ?? autoCandidate(ctx, stage);
  if (candidate === undefined || ctx.ledger.desired(stage.name)?.release === candidate)
    return view(ctx, stage, undefined, undefined);
  const outcome = evaluateGates(ctx, stage, candidate, manual !== undefined);
  if (outcome.passed) {
    const approved = outcome.approvedBy ? `; approved by ${outcome.approvedBy.join(", ")}` : "";
    const reason = manual
      ? manual.reason || `promoted by ${manual.actor}`
      : `passed the gates of ${stage.name}${approved}`;
    promote(ctx, stage, candidate, { ...(manual ? { actor: manual.actor } : {}), reason });
    return view(ctx, stage, candidate, outcome);
  }
  if (outcome.failed) {
    const reason = `${candidate} failed a gate of ${stage.name}`;
    if (manual) record(ctx, "PromoteRefused", { release: candidate, stage: stage.name, reason });
    // The release is rejected now: it no longer waits here, so the stage shows what it runs.
    return view(ctx, stage, undefined, undefined);
  }
  return view(ctx, stage, candidate, outcome);
}

function view(
  ctx: PlanContext,
  stage: ResolvedStage,
  candidate: string | undefined,
  outcome: GatesOutcome | undefined,
  missing?: string,
): StageView {
  const o = observe(ctx, stage.name);
  const desired = ctx.ledger.desired(stage.name)?.release;
  const gates = outcome?.gates ?? [];
  const base = {
    stage: stage.name,
    ...(o.release ? { release: o.release } : {}),
    ...(desired ? { desired } : {}),
    ...(candidate && candidate !== desired ? { candidate } : {}),
    gates,
  };
  if (missing) return { ...base, state: "Idle", message: missing };
  if (o.unreachable)
    return { ...base, state: "Unreachable", message: unreachableMessage(o), unreachable: o.unreachable };
  if (o.phase === "Degraded" || o.aborted)
    return { ...base, state: "Failed", message: `${stage.spec.rollout} is ${o.aborted ? "aborted" : "Degraded"}` };
  if ((desired !== undefined && desired !== o.release) || o.phase === "Progressing" || o.phase === "Paused")
    return {
      ...base,
      state: "Promoting",
      message: `${stage.spec.rollout} is rolling out ${desired ?? o.release ?? "a change"}`,
    };
  const blocking = candidate && candidate !== desired ? gates.find((g) => g.state !== "Passed") : undefined;
  if (blocking)
    return { ...base, state: "Waiting", message: `${candidate} waits for ${blocking.gate}: ${blocking.message}` };
  if (o.phase === "Healthy") return { ...base, state: "Healthy", message: `${o.release ?? "the rollout"} is Healthy` };
  return { ...base, state: "Idle", message: "" };
}

/** "cluster prod unreachable (ECONNREFUSED); last known: Healthy on v1" — the age is the reader's to work out from lastContact. */
function unreachableMessage(o: StageObservation): string {
  const u = o.unreachable!;
  const known =
    u.lastContact === undefined ? "never reached" : `last known: ${o.phase}${o.release ? ` on ${o.release}` : ""}`;
  return `cluster ${u.cluster} unreachable (${u.reason}); ${known}`;
}

/** Asks for every stage whose rollout does not name the release the record says it should run. */
function desiredActions(ctx: PlanContext): void {
  for (const stage of ctx.stages) {
    const o = observe(ctx, stage.name);
    const desired = ctx.ledger.desired(stage.name);
    if (!desired || o.missing || o.unreachable || o.release === desired.release) continue;
    ctx.actions.push({
      type: desired.type === "RolledBack" ? "rollbackStage" : "promote",
      stage: stage.name,
      release: desired.release,
    });
  }
}
