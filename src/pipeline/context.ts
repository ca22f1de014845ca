import {
  CONTROLLER_ACTOR,
  type PipelineStage,
  type RecordEntry,
  type RecordEntryType,
  stageAfter,
} from "../model/index.js";
import { Ledger } from "./ledger.js";
import type { PipelineAction, PlanInput, StageObservation } from "./types.js";

/** A stage with its `after` list resolved. */
export interface ResolvedStage {
  spec: PipelineStage;
  name: string;
  index: number;
  after: string[];
}

/** What one plan works with: the input, the record with this plan's additions, and what it decided. */
export interface PlanContext {
  input: PlanInput;
  now: number;
  nowIso: string;
  ledger: Ledger;
  stages: ResolvedStage[];
  /** Release name to its position in creation order; a name missing here is an unknown release. */
  order: Map<string, number>;
  actions: PipelineAction[];
  wakes: number[];
  warnings: { stage?: string; release?: string; message: string }[];
}

export function createContext(input: PlanInput): PlanContext {
  const now = input.now.getTime();
  const order = new Map<string, number>();
  input.releases.forEach((r, i) => {
    if (!order.has(r.metadata.name)) order.set(r.metadata.name, i);
  });
  return {
    input,
    now,
    nowIso: new Date(now).toISOString(),
    ledger: new Ledger(input.pipeline.name, input.record),
    stages: input.pipeline.spec.stages.map((spec, index) => ({
      spec,
      name: spec.name,
      index,
      after: stageAfter(input.pipeline.spec, index),
    })),
    order,
    actions: [],
    wakes: [],
    warnings: [],
  };
}

const MISSING: StageObservation = { phase: "Progressing", missing: true };

/** The stage's observation; a stage the controller did not report is missing. */
export function observe(ctx: PlanContext, stage: string): StageObservation {
  return ctx.input.stages[stage] ?? MISSING;
}

/** Appends a record entry stamped with the plan's time and pipeline. */
export function record(
  ctx: PlanContext,
  type: RecordEntryType,
  fields: { release: string; stage?: string; reason: string } & Partial<Pick<RecordEntry, "actor" | "gate" | "run">>,
) {
  return ctx.ledger.add({
    time: ctx.nowIso,
    pipeline: ctx.input.pipeline.name,
    actor: CONTROLLER_ACTOR,
    ...fields,
    reason: fields.reason.slice(0, 1024),
    type,
  });
}

/** Rejects the release for the whole pipeline, unless it is rejected already. */
export function reject(ctx: PlanContext, release: string, stage: string | undefined, reason: string, actor?: string) {
  if (ctx.ledger.rejected(release)) return;
  record(ctx, "Rejected", { release, ...(stage ? { stage } : {}), reason, ...(actor ? { actor } : {}) });
}

export function wakeAt(ctx: PlanContext, t: number): void {
  if (t > ctx.now && Number.isFinite(t)) ctx.wakes.push(t);
}

/** Position of a release in creation order; -1 for a release the input does not list. */
export function releaseIndex(ctx: PlanContext, release: string | undefined): number {
  return release === undefined ? -1 : (ctx.order.get(release) ?? -1);
}

/** Every stage a stage follows, directly or not (guarded against cycles). */
export function ancestors(ctx: PlanContext, stage: string): Set<string> {
  const byName = new Map(ctx.stages.map((s) => [s.name, s]));
  const seen = new Set<string>();
  const queue = [...(byName.get(stage)?.after ?? [])];
  while (queue.length > 0) {
    const next = queue.shift() as string;
    if (seen.has(next) || next === stage) continue;
    seen.add(next);
    queue.push(...(byName.get(next)?.after ?? []));
  }
  return seen;
}

/** Parses an RFC 3339 time; NaN for a missing or bad one. */
export function timeOf(iso: string | undefined): number {
  return iso === undefined ? Number.NaN : Date.parse(iso);
}
