import type { RouteMatch, TrafficRouting } from "../../../model/strategy.js";
import {
  assertUniqueNames,
  byManagedOrder,
  canaryPercent,
  HASH_LABEL,
  isManagedName,
  managedName,
  ROUTING_FIELD,
} from "./managed.js";
import type { KubeObject } from "./objects.js";
import { type HeaderRoute, type MirrorRoute, type RouterTargets, TrafficRoutingError } from "./port.js";

/** The pure half of the Istio router: new VirtualService and DestinationRule objects from old ones. */

export const ISTIO_ROUTER = "istio";

export type IstioConfig = NonNullable<TrafficRouting["istio"]>;

interface Destination {
  host: string;
  subset?: string;
  port?: unknown;
  [key: string]: unknown;
}

interface RouteDestination {
  destination: Destination;
  weight?: number;
  [key: string]: unknown;
}

type IstioStringMatch = { exact?: string; prefix?: string; regex?: string };

interface MatchRequest {
  name?: string;
  headers?: Record<string, IstioStringMatch>;
  uri?: IstioStringMatch;
  method?: IstioStringMatch;
  [key: string]: unknown;
}

interface HTTPRoute {
  name?: string;
  match?: MatchRequest[];
  route?: RouteDestination[];
  mirror?: Destination;
  mirrorPercentage?: { value: number };
  [key: string]: unknown;
}

/** The objects and fields in messages. */
export interface IstioContext {
  where: string;
  config: IstioConfig;
  targets: RouterTargets;
}

const FIELD = `${ROUTING_FIELD}.istio`;
const httpOf = (vs: KubeObject): HTTPRoute[] => (vs.spec?.http as HTTPRoute[] | undefined) ?? [];
const isMirrorEntry = (r: HTTPRoute) => isManagedName(r.name) && r.mirror !== undefined;
const isHeaderEntry = (r: HTTPRoute) => isManagedName(r.name) && r.mirror === undefined;

/** Whether `host` names `service` in the rollout's namespace (short, `svc.ns`, `svc.ns.svc...` forms). */
function hostIs(host: string, service: string, namespace: string): boolean {
  const [first, ns] = host.split(".");
  return first === service && (ns === undefined || ns === namespace);
}

function roleOf(d: RouteDestination, ctx: IstioContext): "stable" | "canary" | "baseline" | undefined {
  const dr = ctx.config.destinationRule;
  const { host, subset } = d.destination ?? {};
  if (dr) return subset === dr.stableSubsetName ? "stable" : subset === dr.canarySubsetName ? "canary" : undefined;
  if (typeof host !== "string") return undefined;
  const { stableService, canaryService, baselineService, namespace } = ctx.targets;
  if (hostIs(host, stableService, namespace)) return "stable";
  if (hostIs(host, canaryService, namespace)) return "canary";
  if (baselineService !== undefined && hostIs(host, baselineService, namespace)) return "baseline";
  return undefined;
}

/** Where the canary is, shaped like the stable destination (same port; host or subset swapped). */
function canaryDestination(stable: Destination, ctx: IstioContext): Destination {
  const dr = ctx.config.destinationRule;
  if (dr) return { ...stable, subset: dr.canarySubsetName };
  return { ...stable, host: stable.host.replace(/^[^.]+/, ctx.targets.canaryService) };
}

/** Where the baseline is: the stable destination with the baseline Service's host (host-based routing only). */
function baselineDestination(stable: Destination, service: string): Destination {
  return { ...stable, host: stable.host.replace(/^[^.]+/, service) };
}

const stableOf = (r: HTTPRoute, ctx: IstioContext) => (r.route ?? []).find((d) => roleOf(d, ctx) === "stable");

/** The user's http routes Sluice splits: `virtualService.routes`, or every route sending to stable. */
function splitRoutes(vs: KubeObject, ctx: IstioContext): HTTPRoute[] {
  const user = httpOf(vs).filter((r) => !isManagedName(r.name));
  const wanted = ctx.config.virtualService.routes;
  const stableName = ctx.config.destinationRule
    ? `subset "${ctx.config.destinationRule.stableSubsetName}"`
    : `Service "${ctx.targets.stableService}"`;
  if (wanted?.length) {
    return wanted.map((name) => {
      const r = user.find((u) => u.name === name);
      if (!r)
        throw new TrafficRoutingError(
          `${ctx.where} has no http route named "${name}" (${FIELD}.virtualService.routes): add it or fix the name`,
          ISTIO_ROUTER,
        );
      if (!stableOf(r, ctx))
        throw new TrafficRoutingError(
          `http route "${name}" of ${ctx.where} has no destination to the stable ${stableName} (${FIELD}.virtualService.routes)`,
          ISTIO_ROUTER,
        );
      return r;
    });
  }
  const found = user.filter((r) => stableOf(r, ctx));
  if (found.length === 0)
    throw new TrafficRoutingError(
      `${ctx.where} has no http route with a destination to the stable ${stableName} (${FIELD}.virtualService.name): add one`,
      ISTIO_ROUTER,
    );
  return found;
}

function withHttp(vs: KubeObject, http: HTTPRoute[]): KubeObject {
  const next = structuredClone(vs);
  next.spec = { ...next.spec, http };
  return next;
}

function weighted(r: HTTPRoute, ctx: IstioContext, w: number, b: number): HTTPRoute {
  const dests = r.route ?? [];
  const has = (role: string) => dests.some((d) => roleOf(d, ctx) === role);
  const baselineService = ctx.config.destinationRule ? undefined : ctx.targets.baselineService;
  const out: RouteDestination[] = [];
  for (const d of dests) {
    const role = roleOf(d, ctx);
    // Without a baseline running its destination leaves the route, so it reads as the user wrote it.
    if (role === "baseline") {
      if (b > 0) out.push({ ...d, weight: b });
      continue;
    }
    out.push(role === "stable" ? { ...d, weight: 100 - w - b } : role === "canary" ? { ...d, weight: w } : d);
    if (role !== "stable") continue;
    if (!has("canary")) out.push({ destination: canaryDestination(d.destination, ctx), weight: w });
    if (baselineService !== undefined && b > 0 && !has("baseline"))
      out.push({ destination: baselineDestination(d.destination, baselineService), weight: b });
  }
  return { ...r, route: out };
}

/**
 * Splits the chosen http routes and the managed mirror routes; header routes stay all-canary. A
 * baseline weight goes to the baseline Service (host-based routing only: lint refuses subsets).
 */
export function virtualServiceWithWeight(
  vs: KubeObject,
  ctx: IstioContext,
  canaryWeight: number,
  baselineWeight = 0,
): KubeObject {
  const split = new Set(splitRoutes(vs, ctx));
  return withHttp(
    vs,
    httpOf(vs).map((r) => (split.has(r) || isMirrorEntry(r) ? weighted(r, ctx, canaryWeight, baselineWeight) : r)),
  );
}

function toIstioMatch(m: RouteMatch, ctx: IstioContext): MatchRequest {
  if (m.cookieName !== undefined || m.cookieValue !== undefined)
    throw new TrafficRoutingError(
      `Istio routes here cannot match cookies (${ctx.where}): match on a header instead`,
      ISTIO_ROUTER,
    );
  const out: MatchRequest = {};
  if (m.headerName !== undefined)
    out.headers = { [m.headerName]: m.headerValue ? { ...m.headerValue } : { regex: ".*" } };
  if (m.method !== undefined) out.method = { ...m.method };
  if (m.path !== undefined) out.uri = { ...m.path };
  return out;
}

/** Step matches inside each match of the split routes, so a managed route catches no request they would not. */
function scopedMatches(scope: MatchRequest[], step: RouteMatch[], ctx: IstioContext): MatchRequest[] {
  const out: MatchRequest[] = [];
  const seen = new Set<string>();
  for (const s of scope)
    for (const m of step) {
      const i = toIstioMatch(m, ctx);
      const { name: _n, ...base } = structuredClone(s);
      const merged: MatchRequest = { ...base };
      if (i.headers) merged.headers = { ...base.headers, ...i.headers };
      if (i.uri) merged.uri = i.uri;
      if (i.method) merged.method = i.method;
      const key = JSON.stringify(merged);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(merged);
      }
    }
  return out;
}

const scopeOf = (routes: HTTPRoute[]): MatchRequest[] => routes.flatMap((r) => (r.match?.length ? r.match : [{}]));

/** What a managed route copies from the route it stands in for: rewrites, timeouts, retries and the like. */
function extras(r: HTTPRoute): HTTPRoute {
  const {
    name: _n,
    match: _m,
    route: _r,
    mirror: _mi,
    mirrorPercentage: _mp,
    mirrors: _ms,
    ...rest
  } = structuredClone(r);
  return rest;
}

/**
 * Prepends the managed entries (first match wins in Istio), keeping the other kind's: in managedRoutes
 * order, else header routes first, then mirror routes, each in the order given.
 */
function assemble(
  vs: KubeObject,
  ofKind: (r: HTTPRoute) => boolean,
  added: HTTPRoute[],
  order: { name: string }[] | undefined,
): KubeObject {
  const names = new Set(added.map((r) => r.name));
  const kept = httpOf(vs).filter((r) => isManagedName(r.name) && !ofKind(r) && !names.has(r.name));
  // Header routes before mirror routes, so the same desired state gives the same object in any call order.
  const byKind = [...kept, ...added].sort((a, b) => Number(isMirrorEntry(a)) - Number(isMirrorEntry(b)));
  const managed = byManagedOrder(
    byKind.map((entry) => ({ name: (entry.name as string).slice(managedName("").length), entry })),
    order,
  ).map((m) => m.entry);
  return withHttp(vs, [...managed, ...httpOf(vs).filter((r) => !isManagedName(r.name))]);
}

/** Makes the managed header routes exactly `routes`: each sends its matching requests to the canary only. */
export function virtualServiceWithHeaderRoutes(
  vs: KubeObject,
  ctx: IstioContext,
  routes: HeaderRoute[],
  order?: { name: string }[],
): KubeObject {
  assertUniqueNames(ISTIO_ROUTER, routes);
  const split = splitRoutes(vs, ctx);
  const primary = split[0] as HTTPRoute;
  const stable = stableOf(primary, ctx) as RouteDestination;
  const added = routes
    .filter((r) => r.match.length > 0)
    .map((r) => ({
      name: managedName(r.name),
      match: scopedMatches(scopeOf(split), r.match, ctx),
      route: [{ destination: canaryDestination(stable.destination, ctx), weight: 100 }],
      ...extras(primary),
    }));
  return assemble(vs, isHeaderEntry, added, order);
}

/** Makes the managed mirror routes exactly `routes`: matching requests are served as usual and copied to the canary. */
export function virtualServiceWithMirrorRoutes(
  vs: KubeObject,
  ctx: IstioContext,
  routes: MirrorRoute[],
  order?: { name: string }[],
): KubeObject {
  assertUniqueNames(ISTIO_ROUTER, routes);
  const split = splitRoutes(vs, ctx);
  const primary = split[0] as HTTPRoute;
  const stable = stableOf(primary, ctx) as RouteDestination;
  const scope = scopeOf(split);
  const catchAll = scope.some((m) => Object.keys(m).filter((k) => k !== "name").length === 0);
  const added = routes.map((r) => {
    const match =
      r.match.length > 0
        ? scopedMatches(scope, r.match, ctx)
        : catchAll
          ? []
          : scope.map(({ name: _n, ...m }) => structuredClone(m));
    return {
      name: managedName(r.name),
      ...(match.length ? { match } : {}),
      route: structuredClone(primary.route ?? []),
      mirror: canaryDestination(stable.destination, ctx),
      mirrorPercentage: { value: r.percentage },
      ...extras(primary),
    };
  });
  return assemble(vs, isMirrorEntry, added, order);
}

/** Abort and promotion: every managed route gone and 100% on stable. */
export function virtualServiceWithoutManaged(vs: KubeObject, ctx: IstioContext): KubeObject {
  return virtualServiceWithWeight(
    withHttp(
      vs,
      httpOf(vs).filter((r) => !isManagedName(r.name)),
    ),
    ctx,
    0,
  );
}

/** The canary share of the first split route; undefined when it has no canary destination. */
export function virtualServiceWeight(vs: KubeObject, ctx: IstioContext): number | undefined {
  const primary = splitRoutes(vs, ctx)[0] as HTTPRoute;
  const stable = stableOf(primary, ctx);
  const canary = (primary.route ?? []).find((d) => roleOf(d, ctx) === "canary");
  const baseline = (primary.route ?? []).find((d) => roleOf(d, ctx) === "baseline");
  if (!stable || !canary) return undefined;
  return canaryPercent(stable.weight ?? 0, canary.weight ?? 0, baseline?.weight ?? 0);
}

interface Subset {
  name: string;
  labels?: Record<string, string>;
  [key: string]: unknown;
}

/** Points the stable and canary subsets at their revisions through the pod-template-hash label, and nothing else. */
export function destinationRuleWithHashes(dr: KubeObject, ctx: IstioContext, where: string): KubeObject {
  const cfg = ctx.config.destinationRule;
  if (!cfg) return dr;
  const subsets = (dr.spec?.subsets as Subset[] | undefined) ?? [];
  const hashes: [string, string, string][] = [
    [cfg.stableSubsetName, ctx.targets.stableHash, "stableSubsetName"],
    [cfg.canarySubsetName, ctx.targets.canaryHash, "canarySubsetName"],
  ];
  for (const [name, , field] of hashes)
    if (!subsets.some((s) => s.name === name))
      throw new TrafficRoutingError(
        `${where} has no subset "${name}" (${FIELD}.destinationRule.${field}): add it or fix the name`,
        ISTIO_ROUTER,
      );
  const next = structuredClone(dr);
  next.spec = {
    ...next.spec,
    subsets: subsets.map((s) => {
      const hash = hashes.find(([name]) => name === s.name)?.[1];
      return hash === undefined ? s : { ...s, labels: { ...s.labels, [HASH_LABEL]: hash } };
    }),
  };
  return next;
}
