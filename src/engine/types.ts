import type { AnalysisPhase, Rollout, RolloutStatus, WorkloadTemplate } from "../model/index.js";
import type { RolloutAnalysis, RouteMatch } from "../model/strategy.js";

/** What the platform sees of one revision right now. */
export interface RevisionObservation {
  hash: string;
  /** Replicas that exist (running or starting). */
  replicas: number;
  /** Replicas that pass readiness (and have for minReadySeconds). */
  ready: number;
  /** Set when a replica keeps crashing; the engine aborts a canary on it. */
  crashLooping?: { message: string };
  /** Set when replicas never became ready within the platform's patience. */
  neverReady?: { message: string };
}

/**
 * The platform's view, gathered by the controller before each reconcile. The engine never asks
 * for more: everything it decides on is here or in status.
 */
export interface Observation {
  revisions: RevisionObservation[];
  /**
   * Set while the platform's traffic router cannot apply the traffic the engine asked for (a
   * missing route object, a conflicting edit). The rollout pauses until it clears. `refused`: the
   * router will not take this rollout's route as specified (a pattern it cannot run), so waiting
   * cannot fix it; the rollout is Degraded until its spec changes.
   */
  trafficError?: { message: string; refused?: boolean };
  /**
   * Set where traffic splits by ready replicas rather than by a router (Kubernetes with no
   * trafficRouting): status then reports each revision's actual share next to its weight.
   */
  replicaRatioTraffic?: boolean;
  /**
   * The controller's hook runner's latest answer per gate key (`status.gates[].key`). The engine
   * takes one only when it is the answer to the try status says is pending.
   */
  hookAnswers?: Record<string, import("./gates.js").HookAnswer>;
}

/** The verdict of each analysis run the rollout owns, by run name. Missing = not found (yet). */
export type AnalysisObservation = Record<string, { phase: AnalysisPhase; message?: string }>;

/** Traffic as the engine wants it routed. Weights are percentages per revision hash and sum to 100. */
export interface TrafficSpec {
  weights: Record<string, number>;
  /** Requests matching a header route go to the canary regardless of weight. */
  headerRoutes: { name: string; revision: string; match: RouteMatch[] }[];
  /** A percentage of matching requests is copied to the canary; its responses are discarded. */
  mirrorRoutes: { name: string; revision: string; match: RouteMatch[]; percentage: number }[];
  /** Blue-green: the revision behind the preview listener. */
  preview?: string;
  stickySession?: { cookieName: string; maxAgeSeconds: number };
}

/** Which role an analysis run plays in the rollout. */
export type AnalysisRunRole = "step" | "background" | "prePromotion" | "postPromotion";

/**
 * Platform-neutral things to do. Every action is level-based: applying it twice has the same
 * effect as applying it once.
 */
export type Action =
  | { type: "ensureRevision"; hash: string; template: WorkloadTemplate; replicas: number; restartAt?: string }
  | {
      type: "scaleRevision";
      hash: string;
      replicas: number;
      /**
       * A baseline revision: it runs the template of revision `copyOf` (the stable one), which the
       * platform already holds, under its own key `hash`.
       */
      copyOf?: string;
      /** As in ensureRevision: replicas started before this instant are replaced (`sluice restart`). */
      restartAt?: string;
    }
  | { type: "setTraffic"; traffic: TrafficSpec }
  | { type: "deleteRevision"; hash: string }
  | {
      type: "startAnalysisRun";
      name: string;
      role: AnalysisRunRole;
      analysis: RolloutAnalysis;
      /** Resolved values for valueFrom args, by arg name. */
      args: Record<string, string>;
      canaryRevision: string;
      stableRevision?: string;
      /** The baseline revision's key, when the strategy runs one: analysis compares the canary with it. */
      baselineRevision?: string;
    }
  | { type: "stopAnalysisRun"; name: string }
  | {
      /** One try of a lifecycle hook (docs/hooks.md); repeated every reconcile until answered. */
      type: "runHook";
      key: string;
      hook: string;
      hookType: import("../model/index.js").HookType;
      attempt: number;
      revision: string;
      weight: number;
      step?: number;
    };

/** A Kubernetes-style event: why something happened, in words and numbers. */
export interface RolloutEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
  /** Who asked for it (an API token's name), on events of user requests; the engine never sets it. */
  actor?: string;
}

export interface ReconcileResult {
  status: RolloutStatus;
  actions: Action[];
  events: RolloutEvent[];
  /** The next instant the engine wants to be called even if nothing changes; undefined = only on change. */
  wakeAt?: Date;
}

/** The revision hash function's input. */
export type { Rollout, WorkloadTemplate };

/**
 * A user's request on a rollout (CLI verbs, API actions). `applyCommand` turns it into a change of
 * spec or status; reconcile then acts on that, so commands survive a controller restart.
 */
export type RolloutCommand =
  | { type: "promote" }
  | { type: "promoteFull" }
  | { type: "abort" }
  | { type: "retry" }
  | { type: "pause" }
  | { type: "resume" }
  | { type: "restart" }
  | { type: "undo"; toRevision?: number }
  | { type: "setEnv"; env: Record<string, string | null> }
  /** New images by container name, for a Kubernetes pod template (`sluice set image web app=shop:2.1`). */
  | { type: "setImage"; images: Record<string, string> }
  | { type: "setArgs"; args: string[] }
  | { type: "setCommand"; command: string; args?: string[] }
  | {
      /** Opens a gate that waits for a person (a `gate` step or a manual hook); `gate` names it when several wait. */
      type: "openGate";
      gate?: string;
      reason?: string;
      /** Who opened it (token name or Kubernetes user), recorded in status.gates. */
      by: string;
    };
