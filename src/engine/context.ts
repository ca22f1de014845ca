import {
  type PauseCondition,
  type RevisionStatus,
  type Rollout,
  type RolloutSpec,
  RolloutStatus,
} from "../model/index.js";
import { revisionHash } from "./hash.js";
import type { Action, AnalysisObservation, Observation, RevisionObservation, RolloutEvent } from "./types.js";

/**
 * One reconcile's working state. `status` is a private copy the strategy code edits in place;
 * everything else collects what the reconcile decided.
 */
export interface ReconcileContext {
  readonly rollout: Rollout;
  readonly spec: RolloutSpec;
  readonly now: Date;
  readonly nowIso: string;
  /** Hash of spec.template: the revision the user wants. */
  readonly hash: string;
  /** The status as received, for detecting transitions. */
  readonly previous: RolloutStatus | undefined;
  readonly status: RolloutStatus;
  readonly observed: ReadonlyMap<string, RevisionObservation>;
  readonly observation: Observation;
  readonly analysis: AnalysisObservation;
  readonly events: RolloutEvent[];
  /** startAnalysisRun / stopAnalysisRun, emitted only on the transition that needs them. */
  readonly analysisActions: Action[];
  /** runHook tries the gates ask for in this reconcile. */
  readonly hookActions: Action[];
  /** Instants (ms) the engine wants to be called again. */
  readonly wakes: number[];
  /** Set when the rollout waits on replicas becoming ready: the progress deadline runs only then. */
  waitingForReadiness: boolean;
  /** One-line summary of where the strategy stands, for status.message. */
  message: string | undefined;
  /** Set when this reconcile recorded a new revision to roll out. */
  newRevision: boolean;
  /** Set when a gate holds the rollout in this reconcile: the Gate pause stays, else it is lifted. */
  gateWaiting: boolean;
  /** Set when an abort happens in this reconcile. */
  abortedNow: { reason: string; message: string } | undefined;
}

/** Builds the context for one reconcile; the status is a fresh copy with defaults filled in. */
export function createContext(
  rollout: Rollout,
  observation: Observation,
  analysis: AnalysisObservation,
  now: Date,
): ReconcileContext {
  return {
    rollout,
    spec: rollout.spec,
    now,
    nowIso: now.toISOString(),
    hash: revisionHash(rollout.spec.template),
    previous: rollout.status,
    status: RolloutStatus.parse(structuredClone(rollout.status ?? {})),
    observed: new Map(observation.revisions.map((r) => [r.hash, r])),
    observation,
    analysis,
    events: [],
    analysisActions: [],
    hookActions: [],
    wakes: [],
    waitingForReadiness: false,
    message: undefined,
    newRevision: false,
    gateWaiting: false,
    abortedNow: undefined,
  };
}

/** Records an event. */
export function emit(ctx: ReconcileContext, reason: string, message: string, type: "Normal" | "Warning" = "Normal") {
  ctx.events.push({ type, reason, message });
}

/** Asks to be called again at `at` (ms since epoch) if it is still in the future. */
export function wakeAt(ctx: ReconcileContext, at: number): void {
  if (at > ctx.now.getTime()) ctx.wakes.push(at);
}

/** How users read a revision: `revision 2 (3f9a0c1b2d)`. */
export function label(rev: { number: number; hash: string }): string {
  return `revision ${rev.number} (${rev.hash})`;
}

export function findRevision(ctx: ReconcileContext, hash: string | undefined): RevisionStatus | undefined {
  return hash === undefined ? undefined : ctx.status.revisions.find((r) => r.hash === hash);
}

/** The revision being rolled out (role canary or preview), if a rollout is in progress. */
export function rolloutRevision(ctx: ReconcileContext): RevisionStatus | undefined {
  return ctx.status.revisions.find((r) => r.role === "canary" || r.role === "preview");
}

/** The stable revision's entry; reconcile guarantees it exists once the first revision is recorded. */
export function stableRevision(ctx: ReconcileContext): RevisionStatus {
  const stable = findRevision(ctx, ctx.status.stableRevision);
  if (!stable) throw new Error(`status has no entry for stable revision ${ctx.status.stableRevision}`);
  return stable;
}

/** Ready replicas the platform reports for a revision. */
export function readyOf(ctx: ReconcileContext, hash: string): number {
  return ctx.observed.get(hash)?.ready ?? 0;
}

/** Whether a revision has at least `replicas` ready. */
export function isReady(ctx: ReconcileContext, hash: string, replicas: number): boolean {
  return readyOf(ctx, hash) >= replicas;
}

export function hasPause(ctx: ReconcileContext, reason?: PauseCondition["reason"]): boolean {
  return ctx.status.pauseConditions.some((p) => reason === undefined || p.reason === reason);
}

/** Adds a pause condition unless one with that reason exists; returns whether it was added. */
export function addPause(ctx: ReconcileContext, reason: PauseCondition["reason"]): boolean {
  if (hasPause(ctx, reason)) return false;
  ctx.status.pauseConditions.push({ reason, startTime: ctx.nowIso });
  return true;
}

export function removePause(ctx: ReconcileContext, reason: PauseCondition["reason"]): void {
  ctx.status.pauseConditions = ctx.status.pauseConditions.filter((p) => p.reason !== reason);
}

/** Drops every pause the controller set, keeping the user's own (spec.paused). */
export function clearControllerPauses(ctx: ReconcileContext): void {
  ctx.status.pauseConditions = ctx.status.pauseConditions.filter((p) => p.reason === "UserPause");
}

/** Marks progress: the progress deadline counts from here. */
export function progressed(ctx: ReconcileContext): void {
  ctx.status.lastProgressAt = ctx.nowIso;
}
