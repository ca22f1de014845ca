import type { KubeConfig } from "@kubernetes/client-node";
import { checkOwned, checkWeights, type Owner, ROUTING_FIELD } from "./managed.js";
import { type ObjectRef, RouteObjects, type RouterOptions, replaceIfChanged } from "./objects.js";
import {
  type HeaderRoute,
  type MirrorRoute,
  type RouterTargets,
  type TrafficRouter,
  TrafficRoutingError,
} from "./port.js";
import {
  deletionIsSafe,
  SMI_ROUTER,
  type SmiConfig,
  trafficSplit,
  trafficSplitName,
  trafficSplitWeight,
} from "./smi-spec.js";

/**
 * SMI: a TrafficSplit (split.smi-spec.io/v1alpha2) that Sluice creates and owns, splitting the root
 * Service between the stable and canary Services. SMI has no header or mirror routes.
 */
export class SmiRouter implements TrafficRouter {
  readonly name = SMI_ROUTER;
  private readonly objects: RouteObjects;

  constructor(
    kc: KubeConfig,
    private readonly config: SmiConfig,
    private readonly owner: Owner,
    opts?: RouterOptions,
  ) {
    this.objects = new RouteObjects(kc, SMI_ROUTER, opts);
  }

  private ref(targets: RouterTargets): ObjectRef {
    return {
      kind: "TrafficSplit",
      group: "split.smi-spec.io",
      version: "v1alpha2",
      plural: "trafficsplits",
      namespace: targets.namespace,
      name: trafficSplitName(this.config, this.owner.name),
      field: `${ROUTING_FIELD}.smi.trafficSplitName`,
    };
  }

  private async current(targets: RouterTargets) {
    const ref = this.ref(targets);
    const existing = await this.objects.find(ref);
    checkOwned(SMI_ROUTER, existing, this.owner, `TrafficSplit ${ref.namespace}/${ref.name}`);
    return { ref, existing };
  }

  async setWeight(targets: RouterTargets, canaryWeight: number, baselineWeight = 0): Promise<void> {
    const w = checkWeights(SMI_ROUTER, canaryWeight, baselineWeight);
    const { ref, existing } = await this.current(targets);
    const next = trafficSplit({
      existing,
      name: ref.name,
      owner: this.owner,
      config: this.config,
      targets,
      weight: w.canary,
      baselineWeight: w.baseline,
    });
    if (existing) await replaceIfChanged(this.objects, ref, existing, next);
    else await this.objects.create(ref, next);
  }

  async setHeaderRoutes(_targets: RouterTargets, routes: HeaderRoute[]): Promise<void> {
    if (routes.length > 0)
      throw new TrafficRoutingError(
        `SMI TrafficSplit cannot route by header (route "${routes[0]?.name}"): remove the setHeaderRoute step or use Istio, Gateway API or NGINX`,
        SMI_ROUTER,
      );
  }

  async setMirrorRoutes(_targets: RouterTargets, routes: MirrorRoute[]): Promise<void> {
    if (routes.length > 0)
      throw new TrafficRoutingError(
        `SMI TrafficSplit cannot mirror traffic (route "${routes[0]?.name}"): remove the setMirrorRoute step or use Istio or Gateway API`,
        SMI_ROUTER,
      );
  }

  /** Deletes the TrafficSplit when that leaves everything on stable; otherwise sets it to 100/0. */
  async removeManagedRoutes(targets: RouterTargets): Promise<void> {
    if (!deletionIsSafe(this.config, targets)) return this.setWeight(targets, 0);
    const { ref, existing } = await this.current(targets);
    if (existing) await this.objects.delete(ref, existing.metadata.resourceVersion);
  }

  async verifyWeight(targets: RouterTargets): Promise<number | undefined> {
    const { existing } = await this.current(targets);
    if (!existing) return deletionIsSafe(this.config, targets) ? 0 : undefined;
    return trafficSplitWeight(existing, targets);
  }
}
