import type { KubeConfig } from "@kubernetes/client-node";
import {
  destinationRuleWithHashes,
  ISTIO_ROUTER,
  type IstioConfig,
  type IstioContext,
  virtualServiceWeight,
  virtualServiceWithHeaderRoutes,
  virtualServiceWithMirrorRoutes,
  virtualServiceWithoutManaged,
  virtualServiceWithWeight,
} from "./istio-spec.js";
import { checkWeights, ROUTING_FIELD } from "./managed.js";
import { type KubeObject, type ObjectRef, RouteObjects, type RouterOptions, replaceIfChanged } from "./objects.js";
import type { HeaderRoute, MirrorRoute, RouterTargets, TrafficRouter } from "./port.js";

const ISTIO_API = { group: "networking.istio.io", version: "v1beta1" };

/**
 * Istio: splits the chosen http routes of the user's VirtualService by destination weight (by host, or
 * by subset with a DestinationRule whose subsets Sluice points at revisions), and prepends `sluice-`
 * http routes for header and mirror routes.
 */
export class IstioRouter implements TrafficRouter {
  readonly name = ISTIO_ROUTER;
  private readonly objects: RouteObjects;

  constructor(
    kc: KubeConfig,
    private readonly config: IstioConfig,
    private readonly managedRoutes?: { name: string }[],
    opts?: RouterOptions,
  ) {
    this.objects = new RouteObjects(kc, ISTIO_ROUTER, opts);
  }

  private refs(targets: RouterTargets): { vs: ObjectRef; dr?: ObjectRef } {
    const vs: ObjectRef = {
      ...ISTIO_API,
      kind: "VirtualService",
      plural: "virtualservices",
      namespace: this.config.virtualService.namespace ?? targets.namespace,
      name: this.config.virtualService.name,
      field: `${ROUTING_FIELD}.istio.virtualService.name`,
    };
    const dr = this.config.destinationRule;
    if (!dr) return { vs };
    return {
      vs,
      dr: {
        ...ISTIO_API,
        kind: "DestinationRule",
        plural: "destinationrules",
        namespace: dr.namespace ?? targets.namespace,
        name: dr.name,
        field: `${ROUTING_FIELD}.istio.destinationRule.name`,
      },
    };
  }

  /**
   * Reads both objects and computes both new ones before writing either. The DestinationRule goes first:
   * its subsets must select the right revisions before the VirtualService sends traffic to them.
   */
  private async change(targets: RouterTargets, next: (vs: KubeObject, ctx: IstioContext) => KubeObject) {
    const refs = this.refs(targets);
    const vs = await this.objects.get(refs.vs);
    const ctx: IstioContext = {
      where: `VirtualService ${refs.vs.namespace}/${refs.vs.name}`,
      config: this.config,
      targets,
    };
    const nextVs = next(vs, ctx);
    if (refs.dr) {
      const dr = await this.objects.get(refs.dr);
      const nextDr = destinationRuleWithHashes(dr, ctx, `DestinationRule ${refs.dr.namespace}/${refs.dr.name}`);
      await replaceIfChanged(this.objects, refs.dr, dr, nextDr);
    }
    await replaceIfChanged(this.objects, refs.vs, vs, nextVs);
  }

  async setWeight(targets: RouterTargets, canaryWeight: number, baselineWeight = 0): Promise<void> {
    const w = checkWeights(ISTIO_ROUTER, canaryWeight, baselineWeight);
    await this.change(targets, (vs, ctx) => virtualServiceWithWeight(vs, ctx, w.canary, w.baseline));
  }

  async setHeaderRoutes(targets: RouterTargets, routes: HeaderRoute[]): Promise<void> {
    await this.change(targets, (vs, ctx) => virtualServiceWithHeaderRoutes(vs, ctx, routes, this.managedRoutes));
  }

  async setMirrorRoutes(targets: RouterTargets, routes: MirrorRoute[]): Promise<void> {
    await this.change(targets, (vs, ctx) => virtualServiceWithMirrorRoutes(vs, ctx, routes, this.managedRoutes));
  }

  async removeManagedRoutes(targets: RouterTargets): Promise<void> {
    await this.change(targets, (vs, ctx) => virtualServiceWithoutManaged(vs, ctx));
  }

  async verifyWeight(targets: RouterTargets): Promise<number | undefined> {
    const refs = this.refs(targets);
    const vs = await this.objects.get(refs.vs);
    return virtualServiceWeight(vs, {
      where: `VirtualService ${refs.vs.namespace}/${refs.vs.name}`,
      config: this.config,
      targets,
    });
  }
}
