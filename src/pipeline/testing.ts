import { type AnalysisPhase, PipelineSpec, type RecordEntry, type RecordEntryType } from "../model/index.js";
import { plan } from "./plan.js";
import type { GateRuns, PipelineAction, PipelineEvent, PlanResult, StageObservation } from "./types.js";

type StartRun = Extract<PipelineAction, { type: "startGateRun" }>;

/**
 * Drives the planner the way the controller does, against a fake platform: a promotion changes the
 * stage's rollout at once and (unless `rolloutsSettle` is off) makes it Healthy straight away;
 * analysis runs the planner starts are Running until a test gives them a verdict; time moves only
 * when told. People act by appending record entries, as the API will.
 */
export class PipelineHarness {
  readonly name = "shop";
  spec: PipelineSpec;
  now: Date;
  readonly releases: string[] = [];
  readonly stages: Record<string, StageObservation> = {};
  readonly record: RecordEntry[] = [];
  readonly runs: GateRuns = {};
  readonly started: StartRun[] = [];
  /** Promotions that reached the fake platform, in order: `stage=release`. */
  readonly applied: string[] = [];
  /** Verdict every started run gets at once; undefined = Running until told. */
  autoVerdict: AnalysisPhase | undefined;
  rolloutsSettle = true;
  last: PlanResult | undefined;
  /** Events of every plan, in order. */
  readonly events: PipelineEvent[] = [];

  constructor(spec: unknown, now = new Date("2025-03-03T10:00:00Z")) {
    this.spec = PipelineSpec.parse(spec);
    this.now = now;
    for (const s of this.spec.stages) this.stages[s.name] = { phase: "Healthy" };
  }

  input() {
    return {
      pipeline: { name: this.name, spec: this.spec },
      releases: this.releases.map((name) => ({ metadata: { name } })),
      stages: this.stages,
      record: this.record,
      runs: this.runs,
      now: this.now,
    };
  }

  /** One plan, without applying it. */
  plan(): PlanResult {
    return plan(this.input());
  }

  /** One plan; appends its entries and carries out its actions. */
  step(): PlanResult {
    const result = this.plan();
    this.record.push(...result.entries);
    this.events.push(...result.events);
    for (const a of result.actions) this.apply(a);
    this.last = result;
    return result;
  }

  private apply(a: PipelineAction): void {
    if (a.type === "startGateRun") {
      if (this.runs[a.name]) return;
      this.started.push(a);
      this.runs[a.name] = { phase: this.autoVerdict ?? "Running" };
      return;
    }
    // The hub cannot write into a cluster it cannot reach; the planner must not ask it to.
    if (this.stages[a.stage]?.unreachable) throw new Error(`${a.type} into unreachable stage ${a.stage}`);
    this.applied.push(`${a.stage}=${a.release}`);
    this.stages[a.stage] = this.rolloutsSettle
      ? {
          release: a.release,
          phase: "Healthy",
          healthySince: this.now.toISOString(),
          stableRevision: `rev-${a.release}`,
        }
      : { release: a.release, phase: "Progressing", stableRevision: this.stages[a.stage]?.stableRevision ?? "rev-old" };
  }

  /** Plans until a plan adds no entry and starts no run; returns the last result. */
  settle(max = 50): PlanResult {
    for (let i = 0; i < max; i++) {
      const runs = this.started.length;
      const applied = this.applied.length;
      const result = this.step();
      if (result.entries.length === 0 && this.started.length === runs && this.applied.length === applied) return result;
    }
    throw new Error(`pipeline did not settle after ${max} plans`);
  }

  /** Moves the clock and settles. */
  advance(ms: number): PlanResult {
    this.now = new Date(this.now.getTime() + ms);
    return this.settle();
  }

  /** Moves the clock to the planner's wake-up time and settles; false when it asked for none. */
  wake(): boolean {
    const at = this.last?.wakeAt;
    if (!at) return false;
    this.now = at;
    this.settle();
    return true;
  }

  /** Creates a release and settles. */
  release(name: string): PlanResult {
    this.releases.push(name);
    return this.settle();
  }

  /** A person's entry, as the API would append it. */
  act(
    type: RecordEntryType,
    fields: { release: string; stage?: string; actor?: string; roles?: string[]; reason?: string },
  ) {
    this.record.push({
      time: this.now.toISOString(),
      pipeline: this.name,
      type,
      release: fields.release,
      ...(fields.stage ? { stage: fields.stage } : {}),
      actor: fields.actor ?? "alice",
      ...(fields.roles ? { actorRoles: fields.roles } : {}),
      reason: fields.reason ?? "",
    });
    return this.settle();
  }

  /** The stage's rollout finishes the release it runs: Healthy from now. */
  healthy(stage: string): PlanResult {
    const o = this.stages[stage];
    this.stages[stage] = {
      ...(o?.release ? { release: o.release } : {}),
      phase: "Healthy",
      healthySince: this.now.toISOString(),
      stableRevision: `rev-${o?.release}`,
    };
    return this.settle();
  }

  /** The stage's rollout aborts (analysis failed): traffic is back on the old revision. */
  fail(stage: string): PlanResult {
    const o = this.stages[stage];
    this.stages[stage] = { ...o, phase: "Degraded", aborted: true, failedAt: this.now.toISOString() };
    delete this.stages[stage]?.healthySince;
    return this.settle();
  }

  /**
   * The hub loses its link to the stage's cluster: the planner keeps seeing the last known state,
   * marked unreachable. Tests may still change the stage meanwhile (its own controller goes on).
   */
  cutOff(stage: string, reason = "ECONNREFUSED"): PlanResult {
    const o = this.stages[stage] ?? { phase: "Healthy" };
    this.stages[stage] = {
      ...o,
      unreachable: { cluster: `${stage}-cluster`, reason, lastContact: this.now.toISOString() },
    };
    return this.settle();
  }

  /** The stage's cluster answers again: the planner sees its state as it is now. */
  reconnect(stage: string): PlanResult {
    const o = this.stages[stage];
    if (o) delete o.unreachable;
    return this.settle();
  }

  /** Gives every run whose name contains `part` a verdict and settles. */
  verdict(part: string, phase: AnalysisPhase): PlanResult {
    const names = Object.keys(this.runs).filter((n) => n.includes(part));
    if (names.length === 0) throw new Error(`no run named like ${part}`);
    for (const n of names) this.runs[n] = { phase };
    return this.settle();
  }

  /** Record entries as `Type stage release`, optionally only of some types. */
  entries(...types: RecordEntryType[]): string[] {
    return this.record
      .filter((e) => types.length === 0 || types.includes(e.type))
      .map((e) => [e.type, e.stage, e.release].filter(Boolean).join(" "));
  }

  /** The release each stage's rollout runs. */
  running(): Record<string, string | undefined> {
    return Object.fromEntries(Object.entries(this.stages).map(([k, v]) => [k, v.release]));
  }

  view(stage: string) {
    const v = this.plan().stages.find((s) => s.stage === stage);
    if (!v) throw new Error(`no stage ${stage}`);
    return v;
  }
}

/** canary -> staging -> production, each with its own rollout; `extra` is merged into each stage by name. */
export function threeStages(extra: Record<string, Record<string, unknown>> = {}, onFailure = "leave") {
  return {
    onFailure,
    stages: ["canary", "staging", "production"].map((name) => ({ name, rollout: `web-${name}`, ...extra[name] })),
  };
}
