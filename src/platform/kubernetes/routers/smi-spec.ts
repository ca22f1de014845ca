import type { TrafficRouting } from "../../../model/strategy.js";
import { canaryPercent, type Owner, ownedMetadata } from "./managed.js";
import type { KubeObject } from "./objects.js";
import type { RouterTargets } from "./port.js";

/** The pure half of the SMI router: the TrafficSplit Sluice creates and owns. */

export const SMI_ROUTER = "smi";

export type SmiConfig = NonNullable<TrafficRouting["smi"]>;

/** The TrafficSplit's name: `trafficSplitName`, or the rollout's name. */
export const trafficSplitName = (config: SmiConfig, rollout: string): string => config.trafficSplitName ?? rollout;

/** The Service clients call: `rootService`, or the stable Service as in Argo Rollouts. */
export const rootService = (config: SmiConfig, targets: RouterTargets): string =>
  config.rootService ?? targets.stableService;

/**
 * Whether deleting the TrafficSplit leaves all traffic on stable: only when clients call the stable
 * Service itself. A separate root Service may select every revision, so then the split stays at 100/0.
 */
export const deletionIsSafe = (config: SmiConfig, targets: RouterTargets): boolean =>
  rootService(config, targets) === targets.stableService;

interface Backend {
  service: string;
  weight: number;
}

/** The whole TrafficSplit for `weight`; an existing one keeps its identity and resourceVersion. */
export function trafficSplit(input: {
  existing: KubeObject | undefined;
  name: string;
  owner: Owner;
  config: SmiConfig;
  targets: RouterTargets;
  weight: number;
  /** The baseline Service's weight; its backend is listed only while it is above 0. */
  baselineWeight?: number;
}): KubeObject {
  const { existing, targets, weight } = input;
  const baseline = input.baselineWeight ?? 0;
  const backends: Backend[] = [
    { service: targets.stableService, weight: 100 - weight - baseline },
    { service: targets.canaryService, weight },
  ];
  if (targets.baselineService !== undefined && baseline > 0)
    backends.push({ service: targets.baselineService, weight: baseline });
  return {
    ...(existing ? structuredClone(existing) : {}),
    apiVersion: "split.smi-spec.io/v1alpha2",
    kind: "TrafficSplit",
    metadata: {
      ...(existing ? structuredClone(existing.metadata) : {}),
      name: input.name,
      namespace: targets.namespace,
      ...ownedMetadata(input.owner),
    },
    spec: { service: rootService(input.config, targets), backends },
  };
}

/** The canary share the TrafficSplit carries; undefined when it names neither Service. */
export function trafficSplitWeight(split: KubeObject, targets: RouterTargets): number | undefined {
  const backends = (split.spec?.backends as Backend[] | undefined) ?? [];
  const stable = backends.find((b) => b.service === targets.stableService);
  const canary = backends.find((b) => b.service === targets.canaryService);
  if (!stable && !canary) return undefined;
  const baseline = backends.find((b) => b.service === targets.baselineService);
  return canaryPercent(Number(stable?.weight ?? 0), Number(canary?.weight ?? 0), Number(baseline?.weight ?? 0));
}
