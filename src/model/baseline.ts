import type { CanaryStrategy } from "./strategy.js";

/** A reason a Kubernetes rollout cannot run its baseline revision, at a path under spec.strategy.canary. */
export interface BaselineProblem {
  path: (string | number)[];
  message: string;
}

/**
 * Why a canary strategy with `baseline: true` cannot run on Kubernetes, if it cannot. The baseline
 * takes a share of traffic of its own, so it needs a Service to be sent to and a router that splits
 * three ways: Gateway API, Istio by host, or SMI. Without a router, Services split by pod count and
 * the baseline's share could not be held equal to the canary's.
 */
export function kubernetesBaselineProblems(canary: CanaryStrategy): BaselineProblem[] {
  const out: BaselineProblem[] = [];
  const routing = canary.trafficRouting;
  if (!routing || !(routing.gatewayAPI || routing.istio || routing.smi))
    out.push({
      path: ["trafficRouting"],
      message:
        "a baseline on Kubernetes needs a traffic router that splits three ways (gatewayAPI, istio or smi); add one or turn baseline off",
    });
  if (routing?.istio?.destinationRule)
    out.push({
      path: ["trafficRouting", "istio", "destinationRule"],
      message:
        "a baseline needs Istio host-based routing (stableService, canaryService, baselineService), not DestinationRule subsets; drop destinationRule or turn baseline off",
    });
  for (const field of ["stableService", "canaryService", "baselineService"] as const)
    if (!canary[field])
      out.push({
        path: [field],
        message: `a baseline on Kubernetes needs ${field}: create a Service like the stable one and name it here, or turn baseline off`,
      });
  return out;
}
