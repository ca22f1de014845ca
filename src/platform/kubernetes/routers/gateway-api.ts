import type { KubeConfig } from "@kubernetes/client-node";
import type { TrafficRouting } from "../../../model/strategy.js";
import {
  GATEWAY_ROUTER,
  httpRouteWeight,
  httpRouteWithHeaderRoutes,
  httpRouteWithMirrorRoutes,
  httpRouteWithoutManaged,
  httpRouteWithWeight,
  type RouteContext,
} from "./gateway-api-spec.js";
import { checkWeights, ROUTING_FIELD } from "./managed.js";
import { type KubeObject, type ObjectRef, RouteObjects, type RouterOptions, replaceIfChanged } from "./objects.js";
import type { HeaderRoute, MirrorRoute, RouterTargets, TrafficRouter } from "./port.js";

type GatewayConfig = NonNullable<TrafficRouting["gatewayAPI"]>;

/**
 * Gateway API: splits the user's HTTPRoute (gateway.networking.k8s.io/v1) between the stable and canary
 * Services by backendRef weight, and adds `sluice-` rules for header and mirror routes. Every change is
 * one read and one replace carrying the resourceVersion read.
 */
export class GatewayAPIRouter implements TrafficRouter {
  readonly name = GATEWAY_ROUTER;
  private readonly objects: RouteObjects;

  constructor(
    kc: KubeConfig,
    private readonly config: GatewayConfig,
    private readonly managedRoutes?: { name: string }[],
    opts?: RouterOptions,
  ) {
    this.objects = new RouteObjects(kc, GATEWAY_ROUTER, opts);
  }

  private ref(targets: RouterTargets): ObjectRef {
    return {
      kind: "HTTPRoute",
      group: "gateway.networking.k8s.io",
      version: "v1",
      plural: "httproutes",
      namespace: this.config.namespace ?? targets.namespace,
      name: this.config.httpRoute,
      field: `${ROUTING_FIELD}.gatewayAPI.httpRoute`,
    };
  }

  private async change(targets: RouterTargets, next: (route: KubeObject, ctx: RouteContext) => KubeObject) {
    const ref = this.ref(targets);
    const route = await this.objects.get(ref);
    const ctx = { where: `HTTPRoute ${ref.namespace}/${ref.name}`, field: ref.field };
    await replaceIfChanged(this.objects, ref, route, next(route, ctx));
  }

  async setWeight(targets: RouterTargets, canaryWeight: number, baselineWeight = 0): Promise<void> {
    const w = checkWeights(GATEWAY_ROUTER, canaryWeight, baselineWeight);
    await this.change(targets, (route, ctx) => httpRouteWithWeight(route, targets, w.canary, ctx, w.baseline));
  }

  async setHeaderRoutes(targets: RouterTargets, routes: HeaderRoute[]): Promise<void> {
    await this.change(targets, (route, ctx) =>
      httpRouteWithHeaderRoutes(route, targets, routes, ctx, this.managedRoutes),
    );
  }

  async setMirrorRoutes(targets: RouterTargets, routes: MirrorRoute[]): Promise<void> {
    await this.change(targets, (route, ctx) =>
      httpRouteWithMirrorRoutes(route, targets, routes, ctx, this.managedRoutes),
    );
  }

  async removeManagedRoutes(targets: RouterTargets): Promise<void> {
    await this.change(targets, (route, ctx) => httpRouteWithoutManaged(route, targets, ctx));
  }

  async verifyWeight(targets: RouterTargets): Promise<number | undefined> {
    return httpRouteWeight(await this.objects.get(this.ref(targets)), targets);
  }
}
