import type { RouteMatch } from "../../../model/strategy.js";
import { asRegex, assertUniqueNames, byManagedOrder, canaryPercent, isManagedName, managedName } from "./managed.js";
import type { KubeObject } from "./objects.js";
import { type HeaderRoute, type MirrorRoute, type RouterTargets, TrafficRoutingError } from "./port.js";

/** The pure half of the Gateway API router: new HTTPRoute objects from old ones and the desired state. */

export const GATEWAY_ROUTER = "gatewayAPI";

interface BackendRef {
  name: string;
  group?: string;
  kind?: string;
  namespace?: string;
  port?: number;
  weight?: number;
  [key: string]: unknown;
}

interface HeaderMatch {
  type?: "Exact" | "RegularExpression";
  name: string;
  value: string;
}

interface HTTPRouteMatch {
  path?: { type?: string; value?: string };
  headers?: HeaderMatch[];
  method?: string;
  [key: string]: unknown;
}

interface Filter {
  type: string;
  [key: string]: unknown;
}

interface HTTPRouteRule {
  name?: string;
  matches?: HTTPRouteMatch[];
  filters?: Filter[];
  backendRefs?: BackendRef[];
  [key: string]: unknown;
}

/** Where the HTTPRoute is, for messages: `HTTPRoute ns/name`. */
export interface RouteContext {
  where: string;
  field: string;
}

const rulesOf = (route: KubeObject): HTTPRouteRule[] => (route.spec?.rules as HTTPRouteRule[] | undefined) ?? [];

const isMirrorRule = (r: HTTPRouteRule) => (r.filters ?? []).some((f) => f.type === "RequestMirror");
const isHeaderRule = (r: HTTPRouteRule) => isManagedName(r.name) && !isMirrorRule(r);
const refersTo = (ref: BackendRef, service: string) =>
  ref.name === service && (ref.kind ?? "Service") === "Service" && (ref.group ?? "") === "";

/** The user's rules that send traffic to the stable Service: the ones Sluice splits. */
function splitRules(route: KubeObject, targets: RouterTargets, ctx: RouteContext): HTTPRouteRule[] {
  const rules = rulesOf(route).filter(
    (r) => !isManagedName(r.name) && (r.backendRefs ?? []).some((b) => refersTo(b, targets.stableService)),
  );
  if (rules.length === 0)
    throw new TrafficRoutingError(
      `${ctx.where} has no rule with a backendRef to the stable Service "${targets.stableService}" (${ctx.field}): add one`,
      GATEWAY_ROUTER,
    );
  return rules;
}

function withRules(route: KubeObject, rules: HTTPRouteRule[]): KubeObject {
  const next = structuredClone(route);
  next.spec = { ...next.spec, rules };
  return next;
}

/** A reference to `service` shaped like the user's stable reference (same port, namespace, kind). */
function refLike(stable: BackendRef, service: string): BackendRef {
  const { weight: _w, filters: _f, ...rest } = stable;
  return { ...rest, name: service };
}

/** The weights a split rule carries; the baseline's is 0 when no baseline runs. */
interface RuleWeights {
  canary: number;
  baseline: number;
}

function weighted(rule: HTTPRouteRule, targets: RouterTargets, w: RuleWeights): HTTPRouteRule {
  const refs = rule.backendRefs ?? [];
  const stable = refs.find((b) => refersTo(b, targets.stableService));
  if (!stable) return rule;
  const baselineService = targets.baselineService;
  const isBaseline = (b: BackendRef) => baselineService !== undefined && refersTo(b, baselineService);
  const out: BackendRef[] = [];
  for (const b of refs) {
    if (refersTo(b, targets.stableService)) out.push({ ...b, weight: 100 - w.canary - w.baseline });
    else if (refersTo(b, targets.canaryService)) out.push({ ...b, weight: w.canary });
    else if (isBaseline(b)) {
      // Without a baseline running its Service leaves the split, so the route reads as the user wrote it.
      if (w.baseline > 0) out.push({ ...b, weight: w.baseline });
    } else out.push(b);
    if (b !== stable) continue;
    // A rule that names only the stable Service gets the canary (and a running baseline) beside it.
    if (!refs.some((x) => refersTo(x, targets.canaryService)))
      out.push({ ...refLike(stable, targets.canaryService), weight: w.canary });
    if (baselineService !== undefined && w.baseline > 0 && !refs.some(isBaseline))
      out.push({ ...refLike(stable, baselineService), weight: w.baseline });
  }
  return { ...rule, backendRefs: out };
}

/** Splits every rule that sends to the stable Service, mirror rules included; header rules stay all-canary. */
export function httpRouteWithWeight(
  route: KubeObject,
  targets: RouterTargets,
  canaryWeight: number,
  ctx: RouteContext,
  baselineWeight = 0,
): KubeObject {
  splitRules(route, targets, ctx);
  const w = { canary: canaryWeight, baseline: baselineWeight };
  return withRules(
    route,
    rulesOf(route).map((r) => (isHeaderRule(r) ? r : weighted(r, targets, w))),
  );
}

/** One step match as Gateway API match fields; cookies and non-exact methods have no Gateway API form. */
function toGatewayMatch(m: RouteMatch, ctx: RouteContext): HTTPRouteMatch {
  if (m.cookieName !== undefined || m.cookieValue !== undefined)
    throw new TrafficRoutingError(
      `Gateway API cannot match cookies (${ctx.where}): match on a header instead`,
      GATEWAY_ROUTER,
    );
  const out: HTTPRouteMatch = {};
  if (m.headerName !== undefined) {
    const v = m.headerValue;
    out.headers = [
      v?.exact !== undefined
        ? { type: "Exact", name: m.headerName, value: v.exact }
        : { type: "RegularExpression", name: m.headerName, value: v ? asRegex(v) : ".*" },
    ];
  }
  if (m.method !== undefined) {
    if (m.method.exact === undefined)
      throw new TrafficRoutingError(`Gateway API matches methods exactly only (${ctx.where})`, GATEWAY_ROUTER);
    out.method = m.method.exact.toUpperCase();
  }
  if (m.path !== undefined) {
    const p = m.path;
    out.path =
      p.exact !== undefined
        ? { type: "Exact", value: p.exact }
        : p.prefix !== undefined
          ? { type: "PathPrefix", value: p.prefix }
          : { type: "RegularExpression", value: p.regex ?? "" };
  }
  return out;
}

/**
 * The matches of a managed rule: each step match inside each match of the split rules, so the managed
 * rule is more specific than (and wins over) the user's rule for the same requests, and no wider.
 */
function scopedMatches(scope: HTTPRouteMatch[], step: RouteMatch[], ctx: RouteContext): HTTPRouteMatch[] {
  const out: HTTPRouteMatch[] = [];
  const seen = new Set<string>();
  for (const s of scope)
    for (const m of step) {
      const g = toGatewayMatch(m, ctx);
      const merged: HTTPRouteMatch = { ...structuredClone(s) };
      if (g.headers)
        merged.headers = [...(s.headers ?? []).filter((h) => !g.headers?.some((x) => x.name === h.name)), ...g.headers];
      if (g.method) merged.method = g.method;
      if (g.path) merged.path = g.path;
      const key = JSON.stringify(merged);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(merged);
      }
    }
  return out;
}

/** Everything the split rules match; `{}` stands for a rule without matches (all requests). */
const scopeOf = (rules: HTTPRouteRule[]): HTTPRouteMatch[] =>
  rules.flatMap((r) => (r.matches?.length ? r.matches : [{}]));

function checkRuleName(name: string, ctx: RouteContext) {
  const full = managedName(name);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(full) || full.length > 63)
    throw new TrafficRoutingError(
      `route name "${name}" cannot name an HTTPRoute rule in ${ctx.where}: use lowercase letters, digits and '-', at most ${63 - managedName("").length} characters`,
      GATEWAY_ROUTER,
    );
  return full;
}

/**
 * The route with `added` as the managed rules of one kind (`ofKind` finds the old ones) and the other
 * kind's managed rules kept. Managed rules go first, in managedRoutes order (else header rules, then
 * mirror rules, each in the order given): on a tie in specificity
 * Gateway API picks the first rule, and a mirror rule often matches exactly what the user's rule does.
 */
function assemble(
  route: KubeObject,
  ofKind: (r: HTTPRouteRule) => boolean,
  added: HTTPRouteRule[],
  order: { name: string }[] | undefined,
): KubeObject {
  const names = new Set(added.map((r) => r.name));
  const kept = rulesOf(route).filter((r) => isManagedName(r.name) && !ofKind(r) && !names.has(r.name));
  const unprefixed = (r: HTTPRouteRule) => (r.name as string).slice(managedName("").length);
  // Header rules before mirror rules, so the same desired state gives the same object in any call order.
  const byKind = [...kept, ...added].sort((a, b) => Number(isMirrorRule(a)) - Number(isMirrorRule(b)));
  const managed = byManagedOrder(
    byKind.map((rule) => ({ name: unprefixed(rule), rule })),
    order,
  ).map((m) => m.rule);
  return withRules(route, [...managed, ...rulesOf(route).filter((r) => !isManagedName(r.name))]);
}

function userFilters(rule: HTTPRouteRule): Filter[] | undefined {
  const fs = (rule.filters ?? []).filter((f) => f.type !== "RequestMirror");
  return fs.length ? fs : undefined;
}

/** Makes the managed header rules exactly `routes`: each sends its matching requests to the canary only. */
export function httpRouteWithHeaderRoutes(
  route: KubeObject,
  targets: RouterTargets,
  routes: HeaderRoute[],
  ctx: RouteContext,
  order?: { name: string }[],
): KubeObject {
  assertUniqueNames(GATEWAY_ROUTER, routes);
  const split = splitRules(route, targets, ctx);
  const primary = split[0] as HTTPRouteRule;
  const stableRef = (primary.backendRefs ?? []).find((b) => refersTo(b, targets.stableService)) as BackendRef;
  const added: HTTPRouteRule[] = routes
    // A header route without matches would send everything to the canary: it is no route at all.
    .filter((r) => r.match.length > 0)
    .map((r) => {
      const filters = userFilters(primary);
      return {
        name: checkRuleName(r.name, ctx),
        matches: scopedMatches(scopeOf(split), r.match, ctx),
        ...(filters ? { filters } : {}),
        backendRefs: [refLike(stableRef, targets.canaryService)],
      };
    });
  return assemble(route, isHeaderRule, added, order);
}

/** Makes the managed mirror rules exactly `routes`: matching requests are served as usual and copied to the canary. */
export function httpRouteWithMirrorRoutes(
  route: KubeObject,
  targets: RouterTargets,
  routes: MirrorRoute[],
  ctx: RouteContext,
  order?: { name: string }[],
): KubeObject {
  assertUniqueNames(GATEWAY_ROUTER, routes);
  const split = splitRules(route, targets, ctx);
  const primary = split[0] as HTTPRouteRule;
  const stableRef = (primary.backendRefs ?? []).find((b) => refersTo(b, targets.stableService)) as BackendRef;
  const scope = scopeOf(split);
  const catchAll = scope.some((m) => Object.keys(m).length === 0);
  const added: HTTPRouteRule[] = routes.map((r) => {
    const matches = r.match.length > 0 ? scopedMatches(scope, r.match, ctx) : catchAll ? [] : structuredClone(scope);
    const mirror: Filter = {
      type: "RequestMirror",
      requestMirror: { backendRef: refLike(stableRef, targets.canaryService), percent: r.percentage },
    };
    return {
      name: checkRuleName(r.name, ctx),
      ...(matches.length ? { matches } : {}),
      filters: [...(userFilters(primary) ?? []), mirror],
      backendRefs: structuredClone(primary.backendRefs ?? []),
    };
  });
  return assemble(route, isMirrorRule, added, order);
}

/** Abort and promotion: every managed rule gone and 100% on stable. */
export function httpRouteWithoutManaged(route: KubeObject, targets: RouterTargets, ctx: RouteContext): KubeObject {
  const clean = withRules(
    route,
    rulesOf(route).filter((r) => !isManagedName(r.name)),
  );
  return httpRouteWithWeight(clean, targets, 0, ctx);
}

/** The canary share of the first split rule; undefined when no rule names both Services. */
export function httpRouteWeight(route: KubeObject, targets: RouterTargets): number | undefined {
  for (const rule of rulesOf(route)) {
    if (isManagedName(rule.name)) continue;
    const refs = rule.backendRefs ?? [];
    const stable = refs.find((b) => refersTo(b, targets.stableService));
    const canary = refs.find((b) => refersTo(b, targets.canaryService));
    const service = targets.baselineService;
    const baseline = service === undefined ? undefined : refs.find((b) => refersTo(b, service));
    if (stable && canary) return canaryPercent(stable.weight ?? 1, canary.weight ?? 1, baseline?.weight ?? 0);
  }
  return undefined;
}
