import type { RouteMatch } from "../../../model/strategy.js";

/** Where a router sends traffic: the rollout's stable and canary revisions and their Services. */
export interface RouterTargets {
  namespace: string;
  stableHash: string;
  canaryHash: string;
  /** `spec.strategy.canary.stableService` / `canaryService`: the backends routers point at. */
  stableService: string;
  canaryService: string;
  /**
   * `spec.strategy.canary.baselineService`, when the rollout names one: the router gives it the
   * baseline's weight while a baseline runs and removes it from the split otherwise.
   */
  baselineService?: string;
}

/** A header route as a `setHeaderRoute` step declares it; requests that match go to the canary. */
export interface HeaderRoute {
  name: string;
  match: RouteMatch[];
}

/** A mirror route as a `setMirrorRoute` step declares it; a percentage of matching requests is copied to the canary. */
export interface MirrorRoute {
  name: string;
  match: RouteMatch[];
  percentage: number;
}

/**
 * One traffic router on Kubernetes (Gateway API, NGINX Ingress, Istio, SMI). Every method is
 * level-based and touches only the fields Sluice manages, leaving what the user owns intact.
 * A method that cannot apply its change throws {@link TrafficRoutingError} and changes nothing.
 */
export interface TrafficRouter {
  /** Which router this is, as named under `trafficRouting` (e.g. "gatewayAPI"). */
  readonly name: string;
  /**
   * Sends `canaryWeight`% of traffic to the canary, `baselineWeight`% (default 0) to the baseline
   * Service, and the rest to stable. Routers that split two ways only refuse a baseline weight.
   */
  setWeight(targets: RouterTargets, canaryWeight: number, baselineWeight?: number): Promise<void>;
  /** Makes the managed header routes exactly `routes` (an empty list removes them all). */
  setHeaderRoutes(targets: RouterTargets, routes: HeaderRoute[]): Promise<void>;
  /** Makes the managed mirror routes exactly `routes` (an empty list removes them all). */
  setMirrorRoutes(targets: RouterTargets, routes: MirrorRoute[]): Promise<void>;
  /** Puts 100% on stable and removes every managed route and object (abort, promotion, delete). */
  removeManagedRoutes(targets: RouterTargets): Promise<void>;
  /** The canary weight the route objects carry now; undefined when they carry none. */
  verifyWeight(targets: RouterTargets): Promise<number | undefined>;
}

/** A router could not apply a change: a missing route object or CRD, or a conflicting edit. */
export class TrafficRoutingError extends Error {
  override readonly name = "TrafficRoutingError";
  constructor(
    message: string,
    readonly router: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
