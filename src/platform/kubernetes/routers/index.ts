import type { KubeConfig } from "@kubernetes/client-node";
import type { Rollout } from "../../../model/rollout.js";
import { GatewayAPIRouter } from "./gateway-api.js";
import { IstioRouter } from "./istio.js";
import type { Owner } from "./managed.js";
import { NginxRouter } from "./nginx.js";
import type { RouterOptions } from "./objects.js";
import type { HeaderRoute, MirrorRoute, RouterTargets, TrafficRouter } from "./port.js";
import { SmiRouter } from "./smi.js";

export type { RouterOptions } from "./objects.js";
export * from "./port.js";

/**
 * Several routers set at once (e.g. NGINX in front of an SMI mesh, as Argo Rollouts allows): each change
 * goes to every router in turn; the first failure stops the rest, and the next level-based call redoes it.
 */
export class CompositeRouter implements TrafficRouter {
  readonly name: string;

  constructor(readonly routers: TrafficRouter[]) {
    this.name = routers.map((r) => r.name).join("+");
  }

  async setWeight(targets: RouterTargets, canaryWeight: number): Promise<void> {
    for (const r of this.routers) await r.setWeight(targets, canaryWeight);
  }

  async setHeaderRoutes(targets: RouterTargets, routes: HeaderRoute[]): Promise<void> {
    for (const r of this.routers) await r.setHeaderRoutes(targets, routes);
  }

  async setMirrorRoutes(targets: RouterTargets, routes: MirrorRoute[]): Promise<void> {
    for (const r of this.routers) await r.setMirrorRoutes(targets, routes);
  }

  async removeManagedRoutes(targets: RouterTargets): Promise<void> {
    for (const r of this.routers) await r.removeManagedRoutes(targets);
  }

  /** The weight all routers agree on; undefined when they disagree, so the caller sets it again. */
  async verifyWeight(targets: RouterTargets): Promise<number | undefined> {
    const weights = new Set<number | undefined>();
    for (const r of this.routers) weights.add(await r.verifyWeight(targets));
    return weights.size === 1 ? [...weights][0] : undefined;
  }
}

/**
 * The traffic router for a rollout, chosen by which `spec.strategy.canary.trafficRouting` field is set;
 * undefined when none is (Kubernetes then splits by replica count). The routers read the namespace of
 * their objects from the {@link RouterTargets} of each call, so `_namespace` only documents the call site.
 */
export function routerFor(
  rollout: Rollout,
  kc: KubeConfig,
  _namespace: string,
  opts?: RouterOptions,
): TrafficRouter | undefined {
  const routing = rollout.spec.strategy.canary?.trafficRouting;
  if (!routing) return undefined;
  const owner: Owner = {
    name: rollout.metadata.name,
    ...(rollout.metadata.uid ? { uid: rollout.metadata.uid } : {}),
  };
  const order = routing.managedRoutes;
  const routers: TrafficRouter[] = [];
  if (routing.gatewayAPI) routers.push(new GatewayAPIRouter(kc, routing.gatewayAPI, order, opts));
  if (routing.istio) routers.push(new IstioRouter(kc, routing.istio, order, opts));
  if (routing.nginx) routers.push(new NginxRouter(kc, routing.nginx, owner, opts));
  if (routing.smi) routers.push(new SmiRouter(kc, routing.smi, owner, opts));
  if (routers.length <= 1) return routers[0];
  return new CompositeRouter(routers);
}
