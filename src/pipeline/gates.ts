import { durationMs, type RolloutAnalysis } from "../model/index.js";
import { approvalGate } from "./approval.js";
import { type PlanContext, type ResolvedStage, record, reject, wakeAt } from "./context.js";
import { onFailure } from "./failure.js";
import { gateRunName } from "./run-names.js";
import type { GateRunKind, GateView } from "./types.js";
import { nextWindowOpening, windowOpenAt } from "./window.js";

/** The outcome of all gates of a stage for one release: it may enter once `passed`. */
export interface GatesOutcome {
  gates: GateView[];
  passed: boolean;
  /** The release failed a gate in this plan or before: it is rejected. */
  failed: boolean;
  /** Who approved, for the Promoted entry's reason. */
  approvedBy?: string[];
}

/** A run the gate needs: against which stage, and its name. */
interface GateRun {
  kind: GateRunKind;
  name: string;
  analysis: RolloutAnalysis;
  target: string;
  check?: string;
}

/**
 * Runs (or waits on) analysis runs for a gate. A run is started only while the target stage runs
 * the release and is Healthy, as it measures that stage. A Failed run fails the release; Error or
 * Inconclusive waits for a person (retry or reject), as only evidence promotes.
 */
function runGate(ctx: PlanContext, stage: ResolvedStage, release: string, gate: GateView, runs: GateRun[]): void {
  const waiting: string[] = [];
  for (const run of runs) {
    const verdict = ctx.input.runs[run.name];
    const target = ctx.input.stages[run.target];
    if (verdict === undefined) {
      const onTarget = run.target === stage.name || (target?.release === release && target.phase === "Healthy");
      if (onTarget) {
        ctx.actions.push({
          type: "startGateRun",
          kind: run.kind,
          name: run.name,
          stage: stage.name,
          release,
          ...(run.check ? { check: run.check } : {}),
          analysis: run.analysis,
          target: { stage: run.target, ...(target?.stableRevision ? { revision: target.stableRevision } : {}) },
        });
        waiting.push(`${run.name} starting`);
      } else waiting.push(`${run.name} waits for ${release} to be Healthy in ${run.target}`);
    } else if (verdict.phase === "Failed") {
      gate.state = "Failed";
      gate.message = `${run.name} failed${verdict.message ? `: ${verdict.message}` : ""}`;
      if (ctx.ledger.find(stage.name, release, ["Failed"]).some((e) => e.run === run.name)) return;
      record(ctx, "Failed", { release, stage: stage.name, gate: gate.gate, run: run.name, reason: gate.message });
      reject(ctx, release, stage.name, `${gate.gate} for ${stage.name}: ${gate.message}`);
      onFailure(ctx, stage.name, release);
      return;
    } else if (verdict.phase === "Error" || verdict.phase === "Inconclusive")
      waiting.push(`${run.name} is ${verdict.phase}: retry or reject the release`);
    else if (verdict.phase !== "Successful") waiting.push(`${run.name} is ${verdict.phase}`);
  }
  if (waiting.length === 0) gate.state = "Passed";
  gate.message = waiting.length === 0 ? `${runs.map((r) => r.name).join(", ")} successful` : waiting.join("; ");
}

function verification(
  ctx: PlanContext,
  stage: ResolvedStage,
  release: string,
  attempt: { number: number; after: number },
) {
  const spec = stage.spec.verification;
  if (!spec || stage.after.length === 0) return undefined;
  const gate: GateView = { gate: "verification", state: "Waiting", message: "" };
  if (ctx.ledger.last(stage.name, release, ["Verified"], attempt.after)) {
    return { ...gate, state: "Passed" as const, message: "verified" };
  }
  const runs = stage.after.map((target) => ({
    kind: "verification" as const,
    name: gateRunName({
      pipeline: ctx.input.pipeline.name,
      stage: stage.name,
      release,
      kind: "verify",
      subject: target,
      attempt: attempt.number,
    }),
    analysis: spec,
    target,
  }));
  runGate(ctx, stage, release, gate, runs);
  if (gate.state === "Passed") record(ctx, "Verified", { release, stage: stage.name, reason: gate.message });
  return gate;
}

function checks(ctx: PlanContext, stage: ResolvedStage, release: string, attempt: { number: number; after: number }) {
  const list = stage.spec.checks ?? [];
  if (list.length === 0) return undefined;
  const gate: GateView = { gate: "checks", state: "Waiting", message: "" };
  if (ctx.ledger.find(stage.name, release, ["GatePassed"], attempt.after).some((e) => e.gate === "checks"))
    return { ...gate, state: "Passed" as const, message: "checks passed" };
  const target = stage.after[0] ?? stage.name;
  const runs = list.map((c) => ({
    kind: "check" as const,
    name: gateRunName({
      pipeline: ctx.input.pipeline.name,
      stage: stage.name,
      release,
      kind: "check",
      subject: c.name,
      attempt: attempt.number,
    }),
    analysis: { templates: c.templates, args: c.args },
    target,
    check: c.name,
  }));
  runGate(ctx, stage, release, gate, runs);
  if (gate.state === "Passed")
    record(ctx, "GatePassed", { release, stage: stage.name, gate: "checks", reason: gate.message });
  return gate;
}

function soak(ctx: PlanContext, stage: ResolvedStage, release: string, attempt: { after: number }) {
  if (stage.spec.soak === undefined || stage.after.length === 0) return undefined;
  const gate: GateView = { gate: "soak", state: "Waiting", message: "" };
  if (ctx.ledger.find(stage.name, release, ["GatePassed"], attempt.after).some((e) => e.gate === "soak"))
    return { ...gate, state: "Passed" as const, message: "soaked" };
  const ms = durationMs(stage.spec.soak);
  const waiting: string[] = [];
  let until = 0;
  for (const name of stage.after) {
    const o = ctx.input.stages[name];
    if (o?.unreachable) {
      // Soaking needs it Healthy now, not as last seen.
      waiting.push(`${name}'s cluster ${o.unreachable.cluster} is unreachable`);
      continue;
    }
    const since = o?.healthySince === undefined ? Number.NaN : Date.parse(o.healthySince);
    if (o?.release !== release || o.phase !== "Healthy" || Number.isNaN(since)) {
      waiting.push(`${release} is not Healthy in ${name}`);
      continue;
    }
    const end = since + ms;
    if (end > ctx.now) {
      until = Math.max(until, end);
      wakeAt(ctx, end);
      waiting.push(`${name} soaks until ${new Date(end).toISOString()}`);
    }
  }
  if (waiting.length > 0)
    return { ...gate, message: waiting.join("; "), ...(until > 0 ? { until: new Date(until).toISOString() } : {}) };
  const message = `Healthy in ${stage.after.join(", ")} for ${stage.spec.soak}`;
  record(ctx, "GatePassed", { release, stage: stage.name, gate: "soak", reason: message });
  return { ...gate, state: "Passed" as const, message };
}

function window(ctx: PlanContext, stage: ResolvedStage, others: boolean): GateView | undefined {
  const w = stage.spec.window;
  if (!w) return undefined;
  if (windowOpenAt(w, ctx.now)) return { gate: "window", state: "Passed", message: `open (${w.timeZone})` };
  const opens = nextWindowOpening(w, ctx.now);
  if (opens === undefined) return { gate: "window", state: "Waiting", message: "the window never opens" };
  // Waking for the window only matters once everything else has passed.
  if (others) wakeAt(ctx, opens);
  const at = new Date(opens).toISOString();
  return { gate: "window", state: "Waiting", message: `closed; opens at ${at} (${w.timeZone})`, until: at };
}

/**
 * Evaluates every gate of `stage` for `release`, recording what passed, failed or was requested.
 * Verification, checks and soak run side by side; the approval is requested once they have
 * passed; the window is checked last, at the moment of promotion. `manual`: a person asked for the
 * promotion, which stands in for autoPromote.
 */
export function evaluateGates(ctx: PlanContext, stage: ResolvedStage, release: string, manual: boolean): GatesOutcome {
  const attempt = ctx.ledger.attempt(stage.name, release);
  const early = [
    verification(ctx, stage, release, attempt),
    checks(ctx, stage, release, attempt),
    soak(ctx, stage, release, attempt),
  ].filter((g) => g !== undefined);
  const gates: GateView[] = [...early];
  const failed = () => gates.some((g) => g.state === "Failed") || ctx.ledger.rejected(release) !== undefined;
  if (failed()) return { gates, passed: false, failed: true };
  const earlyPassed = early.every((g) => g.state === "Passed");
  const approval = approvalGate(ctx, stage, release, attempt, earlyPassed);
  if (approval) gates.push(approval.gate);
  if (failed()) return { gates, passed: false, failed: true };
  const beforeWindow = earlyPassed && (approval === undefined || approval.gate.state === "Passed");
  const person = manual || approval !== undefined || stage.spec.autoPromote;
  const w = window(ctx, stage, beforeWindow && person);
  if (w) gates.push(w);
  if (!person)
    gates.push({ gate: "promote", state: "Waiting", message: `autoPromote is off: promote ${release} by hand` });
  const passed = gates.every((g) => g.state === "Passed");
  return { gates, passed, failed: false, ...(approval?.approvedBy ? { approvedBy: approval.approvedBy } : {}) };
}
