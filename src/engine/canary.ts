import type { CanaryStep, CanaryStrategy, RevisionStatus } from "../model/index.js";
import { durationMs } from "../model/index.js";
import { abortRollout, haltIfAborted, holdAborted } from "./abort.js";
import { startAnalysisRun, stepRunSuffix, stopAnalysisRuns, verdictOf } from "./analysis-runs.js";
import { comparedBaseline, dropBaseline, splitWeight, waitForBaseline, wantsBaseline } from "./baseline.js";
import {
  addPause,
  emit,
  hasPause,
  isReady,
  label,
  progressed,
  type ReconcileContext,
  readyOf,
  removePause,
  stableRevision,
  wakeAt,
} from "./context.js";
import { type GateOutcome, hookPoint, hooksOf, keepGatesOf, passGate, passHooks, pollHook } from "./gates.js";
import { canaryReplicas } from "./replicas.js";
import { completeRollout } from "./revisions.js";
import { rollingUpdate } from "./rolling.js";
import { canaryScaleAt, describeStep, stepLabel, weightAt } from "./steps.js";

type Outcome = "advance" | "wait" | "aborted";

/**
 * Moves a canary rollout forward as far as it can now: through its steps while the canary has
 * the replicas each step wants ready, then to promotion. Stops at a pause, a running analysis, or
 * readiness; aborts on a failed analysis or a crash-looping canary.
 */
export function progressCanary(ctx: ReconcileContext, canary: RevisionStatus): void {
  const strategy = ctx.spec.strategy.canary as CanaryStrategy;
  const s = ctx.status;
  if (haltIfAborted(ctx, canary, strategy.abortScaleDownDelaySeconds)) return;
  // Turned off mid-rollout: the baseline's share goes back to stable at once.
  if (!wantsBaseline(ctx)) dropBaseline(ctx);
  if (strategy.steps.length === 0) {
    dropBaseline(ctx);
    rollingUpdate(ctx, strategy, canary);
    return;
  }
  stableRevision(ctx).replicas = ctx.spec.replicas;
  const skipping = s.promoteFull || s.fastRollback;
  if (skipping) stopAnalysisRuns(ctx, ["step", "background"]);
  else stopStaleStepRun(ctx, strategy.steps);
  keepGatesOf(ctx, canary.hash);

  if (!skipping) {
    const outcome =
      backgroundAnalysis(ctx, strategy, canary) === "aborted" || pollHooks(ctx, canary) === "aborted"
        ? "aborted"
        : runSteps(ctx, strategy, canary);
    if (outcome === "aborted") {
      removePause(ctx, "Gate");
      holdAborted(ctx, canary, strategy.abortScaleDownDelaySeconds);
      return;
    }
  }
  if (skipping || (s.currentStepIndex ?? 0) >= strategy.steps.length) {
    if (promote(ctx, strategy, canary, skipping) === "aborted") {
      removePause(ctx, "Gate");
      holdAborted(ctx, canary, strategy.abortScaleDownDelaySeconds);
    }
  }
  // The Gate pause lasts exactly while a gate holds; kept as is (with its start time) meanwhile.
  if (!ctx.gateWaiting) removePause(ctx, "Gate");
}

/** A gate holding the rollout pauses it, with the gate's message as the reason. */
function held(ctx: ReconcileContext, outcome: GateOutcome): Outcome {
  if (outcome === "open") return "advance";
  if (outcome === "wait") {
    ctx.gateWaiting = true;
    addPause(ctx, "Gate");
  }
  return outcome === "aborted" ? "aborted" : "wait";
}

/** `rollback` and `rollout` hooks are asked on their interval while the canary is rolled out. */
function pollHooks(ctx: ReconcileContext, canary: RevisionStatus): Outcome {
  const weight = canary.weight;
  for (const hook of [...hooksOf(ctx, "rollback"), ...hooksOf(ctx, "rollout")]) {
    // `rollout` checks start once the canary takes traffic, as Flagger's run during analysis.
    if (hook.type === "rollout" && weight === 0) continue;
    if (pollHook(ctx, hookPoint(hook, weight), canary) === "aborted") return "aborted";
  }
  return "wait";
}

/**
 * Before the first step: confirm-rollout gates hold the canary at zero replicas; pre-rollout
 * checks run once its replicas are ready and before it gets any traffic.
 */
function beforeFirstStep(ctx: ReconcileContext, strategy: CanaryStrategy, canary: RevisionStatus): Outcome {
  if ((ctx.spec.hooks ?? []).length === 0) return "advance";
  canary.replicas = 0;
  splitWeight(ctx, canary, 0);
  const confirm = held(ctx, passHooks(ctx, "confirm-rollout", canary, 0));
  if (confirm !== "advance") return confirm;
  if (hooksOf(ctx, "pre-rollout").length === 0) return "advance";
  const first = Math.max(
    1,
    canaryReplicas(ctx.spec.replicas, weightAt(strategy.steps, 0), canaryScaleAt(strategy.steps, 0)),
  );
  canary.replicas = first;
  if (!isReady(ctx, canary.hash, first)) {
    ctx.waitingForReadiness = true;
    ctx.message = `before pre-rollout hooks: waiting for canary ${label(canary)}, ${readyOf(ctx, canary.hash)}/${first} ready`;
    return "wait";
  }
  const pre = passHooks(ctx, "pre-rollout", canary, 0);
  return pre === "open" ? "advance" : pre;
}

/** Before a step that raises the weight: confirm-traffic-increase gates, with the previous step's traffic kept. */
function beforeIncrease(
  ctx: ReconcileContext,
  strategy: CanaryStrategy,
  canary: RevisionStatus,
  index: number,
): Outcome {
  const step = strategy.steps[index];
  if (!step || !("setWeight" in step) || hooksOf(ctx, "confirm-traffic-increase").length === 0) return "advance";
  const before = index === 0 ? 0 : weightAt(strategy.steps, index - 1);
  if (step.setWeight <= before) return "advance";
  const outcome = held(ctx, passHooks(ctx, "confirm-traffic-increase", canary, before, index));
  if (outcome === "wait") splitWeight(ctx, canary, before);
  return outcome;
}

function runSteps(ctx: ReconcileContext, strategy: CanaryStrategy, canary: RevisionStatus): Outcome {
  const s = ctx.status;
  const steps = strategy.steps;
  while ((s.currentStepIndex ?? 0) < steps.length) {
    const index = s.currentStepIndex ?? 0;
    if (index === 0) {
      const first = beforeFirstStep(ctx, strategy, canary);
      if (first !== "advance") return first;
    }
    applyStepState(ctx, strategy, canary, index);
    if (index > 0 || (ctx.spec.hooks ?? []).length > 0) {
      const increase = beforeIncrease(ctx, strategy, canary, index);
      if (increase !== "advance") return increase;
    }
    const routingError = ctx.observation.trafficError;
    if (routingError && hasPause(ctx, "TrafficRoutingError")) {
      ctx.message = `paused at ${stepLabel(steps, index)}: traffic router failed: ${routingError.message}`;
      return "wait";
    }
    if (hasPause(ctx, "UserPause") || hasPause(ctx, "InconclusiveAnalysis")) {
      const run = s.analysisRuns.step;
      const why = run === undefined ? "background analysis inconclusive" : verdictOf(ctx, run).text;
      ctx.message = hasPause(ctx, "InconclusiveAnalysis")
        ? `paused at ${stepLabel(steps, index)}: ${why}; promote to go on or abort to roll back`
        : `paused by user at ${stepLabel(steps, index)}`;
      return "wait";
    }
    if (waitForBaseline(ctx, canary)) return "wait";
    if (!isReady(ctx, canary.hash, canary.replicas)) {
      ctx.waitingForReadiness = true;
      ctx.message = `${stepLabel(steps, index)}: waiting for canary ${label(canary)}, ${readyOf(ctx, canary.hash)}/${canary.replicas} ready`;
      return "wait";
    }
    const step = steps[index] as CanaryStep;
    const outcome =
      "pause" in step
        ? pauseStep(ctx, step.pause.duration, steps, index)
        : "gate" in step
          ? held(
              ctx,
              passGate(
                ctx,
                {
                  key: `step/${index}`,
                  name: step.gate.name,
                  type: "gate",
                  ...(step.gate.timeout ? { timeout: step.gate.timeout } : {}),
                  step: index,
                  weight: canary.weight,
                },
                canary,
              ),
            )
          : "analysis" in step
            ? analysisStep(ctx, step.analysis, steps, index, canary)
            : "advance";
    if (outcome !== "advance") return outcome;
    s.currentStepIndex = index + 1;
    s.stepStartedAt = ctx.nowIso;
    progressed(ctx);
    emit(ctx, "StepAdvanced", `step ${index + 1}/${steps.length} completed: ${describeStep(step)}`);
  }
  return "advance";
}

/** Weight, canary replicas and stable weight as the step at `index` wants them. */
function applyStepState(ctx: ReconcileContext, strategy: CanaryStrategy, canary: RevisionStatus, index: number): void {
  const weight = weightAt(strategy.steps, index);
  canary.replicas = canaryReplicas(ctx.spec.replicas, weight, canaryScaleAt(strategy.steps, index));
  splitWeight(ctx, canary, weight);
  ctx.message = `${stepLabel(strategy.steps, index)}: canary ${label(canary)} at ${weight}%`;
}

function pauseStep(
  ctx: ReconcileContext,
  duration: string | number | undefined,
  steps: readonly CanaryStep[],
  index: number,
): Outcome {
  if (addPause(ctx, "CanaryPauseStep"))
    emit(
      ctx,
      "Paused",
      `paused at ${stepLabel(steps, index)}${duration === undefined ? "" : ` for ${typeof duration === "number" ? `${duration}s` : duration}`}`,
    );
  if (duration === undefined) {
    ctx.message = `paused at ${stepLabel(steps, index)}; promote to go on`;
    return "wait";
  }
  const started = ctx.status.pauseConditions.find((p) => p.reason === "CanaryPauseStep")?.startTime ?? ctx.nowIso;
  const end = Date.parse(started) + durationMs(duration);
  if (ctx.now.getTime() >= end) {
    removePause(ctx, "CanaryPauseStep");
    return "advance";
  }
  wakeAt(ctx, end);
  ctx.message = `paused at ${stepLabel(steps, index)} until ${new Date(end).toISOString()}`;
  return "wait";
}

function analysisStep(
  ctx: ReconcileContext,
  analysis: Extract<CanaryStep, { analysis: unknown }>["analysis"],
  steps: readonly CanaryStep[],
  index: number,
  canary: RevisionStatus,
): Outcome {
  const s = ctx.status;
  const name =
    s.analysisRuns.step ??
    startAnalysisRun(
      ctx,
      "step",
      analysis,
      { canary, stable: s.stableRevision, baseline: comparedBaseline(ctx) },
      stepRunSuffix(index),
      stepLabel(steps, index),
    );
  const verdict = verdictOf(ctx, name);
  switch (verdict.phase) {
    case "Successful":
      delete s.analysisRuns.step;
      emit(ctx, "AnalysisRunSucceeded", `${verdict.text} at ${stepLabel(steps, index)}`);
      return "advance";
    case "Failed":
    case "Error":
      abortRollout(ctx, `AnalysisRun${verdict.phase}`, verdict.text);
      return "aborted";
    case "Inconclusive":
      if (addPause(ctx, "InconclusiveAnalysis"))
        emit(ctx, "Paused", `${verdict.text}; promote to go on or abort to roll back`, "Warning");
      ctx.message = `paused: ${verdict.text}; promote to go on or abort to roll back`;
      return "wait";
    default:
      ctx.message = `${stepLabel(steps, index)}: ${verdict.text}`;
      return "wait";
  }
}

/**
 * Background analysis runs from `startingStep` until promotion. An inconclusive one pauses the
 * rollout and is let go, so a promote starts a fresh one instead of pausing again on the old verdict.
 */
function backgroundAnalysis(ctx: ReconcileContext, strategy: CanaryStrategy, canary: RevisionStatus): Outcome {
  const s = ctx.status;
  const background = strategy.analysis;
  if (!background || (s.currentStepIndex ?? 0) < (background.startingStep ?? 0)) return "wait";
  const name = s.analysisRuns.background;
  if (name === undefined) {
    if (!hasPause(ctx, "InconclusiveAnalysis"))
      startAnalysisRun(
        ctx,
        "background",
        { templates: background.templates, args: background.args },
        { canary, stable: s.stableRevision, baseline: comparedBaseline(ctx) },
        "background",
        `background analysis of ${label(canary)}`,
      );
    return "wait";
  }
  const verdict = verdictOf(ctx, name);
  if (verdict.phase === "Failed" || verdict.phase === "Error") {
    abortRollout(ctx, `AnalysisRun${verdict.phase}`, verdict.text);
    return "aborted";
  }
  if (verdict.phase === "Inconclusive") {
    delete s.analysisRuns.background;
    if (addPause(ctx, "InconclusiveAnalysis"))
      emit(ctx, "Paused", `${verdict.text}; promote to go on or abort to roll back`, "Warning");
  }
  return "wait";
}

/** A step run left behind by a promote that skipped its step is stopped. */
function stopStaleStepRun(ctx: ReconcileContext, steps: readonly CanaryStep[]): void {
  const name = ctx.status.analysisRuns.step;
  if (name === undefined) return;
  const index = ctx.status.currentStepIndex ?? 0;
  const step = steps[index];
  if (!step || !("analysis" in step) || !name.endsWith(`-${stepRunSuffix(index)}`)) stopAnalysisRuns(ctx, ["step"]);
}

/**
 * After the last step (or promote --full, or a fast rollback): confirm-promotion gates (which a
 * person's promote --full or a fast rollback skips), full canary scale, then it becomes stable.
 */
function promote(ctx: ReconcileContext, strategy: CanaryStrategy, canary: RevisionStatus, skipping: boolean): Outcome {
  const s = ctx.status;
  const steps = strategy.steps;
  const hold = s.fastRollback ? 0 : weightAt(steps, s.currentStepIndex ?? 0);
  // The steps and their analysis are over: the baseline has nothing left to be compared with.
  dropBaseline(ctx);
  canary.replicas = ctx.spec.replicas;
  canary.weight = hold;
  stableRevision(ctx).weight = 100 - hold;
  // Every gate before promotion is open: a Gate pause left from an earlier reconcile must not hold it.
  if (!ctx.gateWaiting) removePause(ctx, "Gate");
  if (!skipping && !hasPause(ctx)) {
    const gate = held(ctx, passHooks(ctx, "confirm-promotion", canary, hold));
    if (gate !== "advance") return gate;
  }

  if (hasPause(ctx)) {
    if (!hasPause(ctx, "Gate")) ctx.message = `paused before promoting ${label(canary)}`;
    return "wait";
  }
  if (!isReady(ctx, canary.hash, ctx.spec.replicas)) {
    ctx.waitingForReadiness = true;
    ctx.message = `promoting ${label(canary)}: ${readyOf(ctx, canary.hash)}/${ctx.spec.replicas} ready`;
    return "wait";
  }
  completeRollout(ctx, canary, strategy.scaleDownDelaySeconds);
  return "advance";
}
