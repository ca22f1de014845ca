import type { KubeConfig } from "@kubernetes/client-node";
import { checkOwned, checkWeight, type Owner, ROUTING_FIELD } from "./managed.js";
import {
  canaryIngress,
  canaryIngressName,
  canaryIngressWeight,
  currentHeaderAnnotations,
  headerAnnotations,
  NGINX_ROUTER,
  type NginxConfig,
} from "./nginx-spec.js";
import { type KubeObject, type ObjectRef, RouteObjects, type RouterOptions, replaceIfChanged } from "./objects.js";
import {
  type HeaderRoute,
  type MirrorRoute,
  type RouterTargets,
  type TrafficRouter,
  TrafficRoutingError,
} from "./port.js";

const INGRESS = { kind: "Ingress", group: "networking.k8s.io", version: "v1", plural: "ingresses" };

/**
 * NGINX Ingress: a canary Ingress `<stableIngress>-<rollout>-canary`, derived from the user's stable
 * Ingress and owned by Sluice, carries the canary weight and header annotations. The stable Ingress is
 * only read. Mirroring has no NGINX canary form.
 */
export class NginxRouter implements TrafficRouter {
  readonly name = NGINX_ROUTER;
  private readonly objects: RouteObjects;

  constructor(
    kc: KubeConfig,
    private readonly config: NginxConfig,
    private readonly owner: Owner,
    opts?: RouterOptions,
  ) {
    this.objects = new RouteObjects(kc, NGINX_ROUTER, opts);
  }

  private refs(targets: RouterTargets): { stable: ObjectRef; canary: ObjectRef } {
    const field = `${ROUTING_FIELD}.nginx.stableIngress`;
    const namespace = targets.namespace;
    return {
      stable: { ...INGRESS, namespace, name: this.config.stableIngress, field },
      canary: { ...INGRESS, namespace, name: canaryIngressName(this.config.stableIngress, this.owner.name), field },
    };
  }

  private async canary(targets: RouterTargets): Promise<{ ref: ObjectRef; existing: KubeObject | undefined }> {
    const ref = this.refs(targets).canary;
    const existing = await this.objects.find(ref);
    checkOwned(NGINX_ROUTER, existing, this.owner, `Ingress ${ref.namespace}/${ref.name}`);
    return { ref, existing };
  }

  /** Creates or rewrites the canary Ingress from the stable one; none is created just to carry nothing. */
  private async apply(
    targets: RouterTargets,
    state: (existing: KubeObject | undefined) => { weight: number; header: Record<string, string> },
  ): Promise<void> {
    // Read first even when there is nothing to write, so a wrong stableIngress shows at the first step.
    const stable = await this.objects.get(this.refs(targets).stable);
    const { ref, existing } = await this.canary(targets);
    const { weight, header } = state(existing);
    if (!existing && weight === 0 && Object.keys(header).length === 0) return;
    const next = canaryIngress({
      stable,
      existing,
      name: ref.name,
      owner: this.owner,
      config: this.config,
      targets,
      weight,
      header,
    });
    if (existing) await replaceIfChanged(this.objects, ref, existing, next);
    else await this.objects.create(ref, next);
  }

  async setWeight(targets: RouterTargets, canaryWeight: number, baselineWeight = 0): Promise<void> {
    const weight = checkWeight(NGINX_ROUTER, canaryWeight);
    // Lint refuses a baseline with NGINX; a rollout that got past it still must not lose the share.
    if (baselineWeight > 0)
      throw new TrafficRoutingError(
        "NGINX Ingress splits two ways only and cannot send a baseline its share; turn baseline off or use another router",
        NGINX_ROUTER,
      );
    await this.apply(targets, (existing) => ({ weight, header: currentHeaderAnnotations(existing, this.config) }));
  }

  async setHeaderRoutes(targets: RouterTargets, routes: HeaderRoute[]): Promise<void> {
    const header = headerAnnotations(this.config, routes);
    await this.apply(targets, (existing) => ({ weight: canaryIngressWeight(existing, this.config) ?? 0, header }));
  }

  async setMirrorRoutes(_targets: RouterTargets, routes: MirrorRoute[]): Promise<void> {
    if (routes.length > 0)
      throw new TrafficRoutingError(
        `NGINX Ingress canaries cannot mirror traffic (route "${routes[0]?.name}"): remove the setMirrorRoute step or use Istio or Gateway API`,
        NGINX_ROUTER,
      );
  }

  async removeManagedRoutes(targets: RouterTargets): Promise<void> {
    const { ref, existing } = await this.canary(targets);
    if (existing) await this.objects.delete(ref, existing.metadata.resourceVersion);
  }

  async verifyWeight(targets: RouterTargets): Promise<number | undefined> {
    return canaryIngressWeight((await this.canary(targets)).existing, this.config);
  }
}
