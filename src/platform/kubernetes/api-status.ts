import type { Rollout, RolloutStatus } from "../../model/rollout.js";
import { rolloutLabelSelector } from "./replicasets.js";
import type { SchemaNode } from "./structural.js";

/**
 * Status fields only the CRD declares: the model has no use for them, but the Kubernetes API does.
 * `strategy` feeds a printer column; `replicas` and `selector` back the scale subresource, so a
 * HorizontalPodAutoscaler (or `kubectl scale`) can drive a Rollout as it drives a Deployment.
 * The status writer sets them with {@link rolloutApiStatus}; readers drop them before parsing with
 * the strict model schema.
 */
export const ROLLOUT_API_STATUS: Record<string, SchemaNode> = {
  strategy: { type: "string", enum: ["canary", "blueGreen"], description: "Which strategy the rollout uses." },
  replicas: {
    type: "integer",
    minimum: 0,
    description: "Ready pods across every revision: what a HorizontalPodAutoscaler counts as current.",
  },
  selector: {
    type: "string",
    description: "Label selector of every pod of the rollout, for the scale subresource.",
  },
};

/** The scale subresource of the Rollout CRD: `kubectl scale` and HPAs write spec.replicas through it. */
export const ROLLOUT_SCALE = {
  specReplicasPath: ".spec.replicas",
  statusReplicasPath: ".status.replicas",
  labelSelectorPath: ".status.selector",
} as const;

/** The values of {@link ROLLOUT_API_STATUS} for a rollout and the status about to be written. */
export function rolloutApiStatus(
  rollout: Pick<Rollout, "metadata" | "spec">,
  status?: Pick<RolloutStatus, "revisions">,
): { strategy: "canary" | "blueGreen"; replicas: number; selector: string } {
  const replicas = (status?.revisions ?? []).reduce((sum, r) => sum + (r.readyReplicas ?? 0), 0);
  return {
    strategy: rollout.spec.strategy.canary ? "canary" : "blueGreen",
    replicas,
    selector: rolloutLabelSelector(rollout.metadata.name),
  };
}
