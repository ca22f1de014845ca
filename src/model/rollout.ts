import { z } from "zod";
import { kubernetesBaselineProblems } from "./baseline.js";
import { GateStatus, MAX_HOOKS, RolloutHooks } from "./hooks.js";
import {
  DelaySeconds,
  MAX_DURATION_SECONDS,
  MAX_LABEL_VALUE_LENGTH,
  MAX_REVISION_HISTORY,
  MAX_STEPS,
  Replicas,
  StringMap,
  Timestamp,
} from "./limits.js";
import { API_VERSION, Condition, ObjectMeta } from "./meta.js";
import { Notification } from "./notification.js";
import { Strategy } from "./strategy.js";
import { WorkloadTemplate } from "./workload.js";

export const RolloutSpec = z
  .strictObject({
    replicas: Replicas().default(1),
    selector: z.strictObject({ matchLabels: StringMap(MAX_LABEL_VALUE_LENGTH) }).optional(),
    template: WorkloadTemplate,
    strategy: Strategy,
    revisionHistoryLimit: z.number().int().nonnegative().max(MAX_REVISION_HISTORY).default(10),
    minReadySeconds: DelaySeconds().default(0),
    progressDeadlineSeconds: z.number().int().positive().max(MAX_DURATION_SECONDS).default(600),
    progressDeadlineAbort: z.boolean().default(false),
    /** A change back to one of the last N revisions skips steps and analysis: a fast rollback. */
    rollbackWindow: z.strictObject({ revisions: z.number().int().nonnegative().max(MAX_REVISION_HISTORY) }).optional(),
    paused: z.boolean().default(false),
    /** Set to a timestamp to replace every replica of the current revisions (`sluice restart`). */
    restartAt: Timestamp().optional(),
    /** Webhooks told about the rollout's events (docs/notifications.md). */
    // Bounded so the CRD's uniqueness rule on names stays cheap enough for the API server to accept.
    notifications: z.array(Notification).max(20).optional(),
    /** Lifecycle hooks: gates, checks and calls at each stage of a rollout (docs/hooks.md). */
    hooks: RolloutHooks.optional(),
  })
  .check((ctx) => {
    // On Kubernetes a baseline needs its own Service and a router that splits three ways: refused
    // up front rather than discovered as a paused rollout.
    const canary = ctx.value.strategy.canary;
    if (!canary?.baseline || ctx.value.template.process) return;
    for (const problem of kubernetesBaselineProblems(canary))
      ctx.issues.push({
        code: "custom",
        input: true,
        path: ["strategy", "canary", ...problem.path],
        message: problem.message,
      });
  })
  .check((ctx) => {
    // A gate the engine would not hold on is worse than none: refused rather than silently skipped.
    if (!ctx.value.strategy.blueGreen) return;
    (ctx.value.hooks ?? []).forEach((h, i) => {
      if (h.type !== "event" && h.type !== "post-rollout")
        ctx.issues.push({
          code: "custom",
          input: h.type,
          path: ["hooks", i, "type"],
          message: `blue-green rollouts run only event and post-rollout hooks for now; ${h.type} needs a canary strategy`,
        });
    });
  });
export type RolloutSpec = z.infer<typeof RolloutSpec>;

/** Where a rollout stands: Progressing, Paused, Healthy or Degraded (aborted, failed, or past its deadline). */
export const RolloutPhase = z.enum(["Progressing", "Paused", "Healthy", "Degraded"]);
export type RolloutPhase = z.infer<typeof RolloutPhase>;

/**
 * The part a revision plays. `stable` serves production; `canary` is being rolled out; `preview` is the
 * blue-green revision behind the preview listener; `old` is waiting to be scaled down; `baseline` is a
 * fresh copy of the stable revision that takes the canary's weight while the canary is judged.
 */
export const RevisionRole = z.enum(["stable", "canary", "preview", "old", "baseline"]);
export type RevisionRole = z.infer<typeof RevisionRole>;

export const RevisionStatus = z.strictObject({
  /** Hash of the workload template. */
  hash: z.string(),
  /** Monotonic revision number, as `sluice undo --to-revision N` uses. */
  number: z.number().int().positive(),
  role: RevisionRole,
  /** Replicas the engine wants for this revision. */
  replicas: Replicas(),
  /** Share of traffic, 0..100. */
  weight: z.number().min(0).max(100),
  /**
   * Share of traffic the revision actually gets where the platform splits by replica count
   * (Kubernetes with no traffic router): its share of all ready pods, 0..100.
   */
  actualWeight: z.number().int().min(0).max(100).optional(),
  /** For `old` revisions: when they are scaled to zero and deleted. */
  scaleDownAt: z.string().optional(),
  /** Ready replicas at the last reconcile; a change counts as progress for the progress deadline. */
  readyReplicas: Replicas().optional(),
});
export type RevisionStatus = z.infer<typeof RevisionStatus>;

export const PauseCondition = z.strictObject({
  reason: z.enum([
    "CanaryPauseStep",
    "BlueGreenPause",
    "InconclusiveAnalysis",
    "UserPause",
    "TrafficRoutingError",
    "Gate",
  ]),
  startTime: z.string(),
});
export type PauseCondition = z.infer<typeof PauseCondition>;

/** Names of the analysis runs the rollout currently owns, by the role they play. */
export const RolloutAnalysisRuns = z.strictObject({
  step: z.string().optional(),
  background: z.string().optional(),
  prePromotion: z.string().optional(),
  postPromotion: z.string().optional(),
});
export type RolloutAnalysisRuns = z.infer<typeof RolloutAnalysisRuns>;

/** A revision the rollout has run: the history `undo` and `rollbackWindow` read. */
export const RevisionHistoryEntry = z.strictObject({
  hash: z.string(),
  number: z.number().int().positive(),
  /** Set once the revision has been stable: only such revisions qualify for a fast rollback. */
  stable: z.boolean().optional(),
});
export type RevisionHistoryEntry = z.infer<typeof RevisionHistoryEntry>;

export const RolloutStatus = z.strictObject({
  phase: RolloutPhase.default("Progressing"),
  message: z.string().default(""),
  observedGeneration: z.number().int().default(0),
  /** Hash of spec.template: the revision being rolled out, or the stable one once Healthy. */
  currentRevision: z.string().optional(),
  stableRevision: z.string().optional(),
  currentStepIndex: z.number().int().nonnegative().max(MAX_STEPS).optional(),
  /** When the current step began: pauses and progress deadlines count from here. */
  stepStartedAt: z.string().optional(),
  revisions: z.array(RevisionStatus).default([]),
  history: z.array(RevisionHistoryEntry).default([]),
  pauseConditions: z.array(PauseCondition).default([]),
  /** Set by `sluice abort`, or by the engine when analysis fails. Cleared by `sluice retry`. */
  abort: z.boolean().default(false),
  abortedAt: z.string().optional(),
  /** Set by `sluice promote --full`: skip the remaining steps and analysis. */
  promoteFull: z.boolean().default(false),
  /** Set by the engine for a change back inside rollbackWindow. */
  fastRollback: z.boolean().default(false),
  analysisRuns: RolloutAnalysisRuns.default({}),
  /** Counter so analysis run names stay unique across retries. */
  analysisRunSeq: z.number().int().nonnegative().default(0),
  /** Blue-green: when the preview became ready, for autoPromotionSeconds. */
  previewReadyAt: z.string().optional(),
  /** Blue-green: set once the active revision has switched for this rollout. */
  promotedAt: z.string().optional(),
  /** When the last progress was made; a progress deadline counts from here. */
  lastProgressAt: z.string().optional(),
  /** The spec.restartAt value already acted on. */
  restartedAt: z.string().optional(),
  conditions: z.array(Condition).default([]),
  /** Gates and hook checks of the revision being rolled out: waiting since, last answer, next try. */
  gates: z
    .array(GateStatus)
    .max(MAX_HOOKS + MAX_STEPS)
    .optional(),
});
export type RolloutStatus = z.infer<typeof RolloutStatus>;

export const Rollout = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal("Rollout"),
  metadata: ObjectMeta,
  spec: RolloutSpec,
  status: RolloutStatus.optional(),
});
export type Rollout = z.infer<typeof Rollout>;
