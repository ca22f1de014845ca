import type { RolloutRoute, RouteRefusal, RouterConfig } from "./config.js";
import { RouterConfigError } from "./errors.js";
import { compileMatches, cookieValue, type RequestMatcher, type RequestView } from "./match.js";
import { WeightedPicker } from "./picker.js";
import { type RevisionSeries, seriesKey, type Telemetry } from "./telemetry.js";
import { EJECT_MS, type Upstream, type UpstreamSet } from "./upstreams.js";
import { refusal } from "./validate.js";

/** How a request came to a revision; decides whether a sticky cookie is set. */
export type ChoiceReason = "header" | "cookie" | "weight" | "preview";

/** A revision chosen for a request. Preallocated per backend and reason, so choosing allocates nothing. */
export interface Choice {
  readonly backend: Backend;
  readonly via: ChoiceReason;
}

/** One revision of a compiled route: its endpoints, round-robin cursor and telemetry series. */
export interface Backend {
  readonly revision: string;
  readonly upstreams: readonly Upstream[];
  /** Round-robin cursor over {@link upstreams}. */
  next: number;
  readonly weight: number;
  readonly series: RevisionSeries;
  /** Telemetry of Sluice's generated load sent to this revision, kept apart from users'. */
  readonly generatedSeries: RevisionSeries;
  /** `Set-Cookie` value assigning a client to this revision, when the route is sticky. */
  readonly stickyCookie: string | undefined;
  readonly choices: Readonly<Record<ChoiceReason, Choice>>;
}

/** A mirror route; `credit` makes the percentage exact instead of random. */
export interface Mirror {
  readonly backend: Backend;
  readonly matches: RequestMatcher;
  readonly percentage: number;
  credit: number;
}

/** One rollout's routing, compiled for the hot path. */
export interface Route {
  readonly rollout: string;
  readonly backends: ReadonlyMap<string, Backend>;
  readonly headerRoutes: readonly { backend: Backend; matches: RequestMatcher }[];
  readonly mirrors: readonly Mirror[];
  readonly stickyCookieName: string | undefined;
  readonly picker: WeightedPicker<Backend>;
  readonly preview: Backend | undefined;
  readonly previewListen: string | undefined;
}

/** A whole config compiled into lookup tables. Immutable apart from cursors; swapped in one assignment. */
export interface CompiledConfig {
  /** What is served: the config as sent, with each refused rollout's last accepted route in its place. */
  readonly source: RouterConfig;
  readonly generation: number;
  readonly routes: ReadonlyMap<string, Route>;
  readonly byHost: ReadonlyMap<string, Route>;
  /** The default route, or the only route; used when no host matches. */
  readonly fallback: Route | undefined;
  /** Raw Host header values already resolved (port and case included), so most requests skip parsing. */
  readonly hostCache: Map<string, Route | null>;
  /** Rollouts whose route as sent was not served, and why. */
  readonly refused: readonly RouteRefusal[];
}

/** What {@link compileConfig} needs besides the config. */
export interface CompileOptions {
  upstreams: UpstreamSet;
  telemetry: Telemetry;
  /** The config served until now: a refused rollout keeps its route from it. */
  previous?: RouterConfig | undefined;
  /** Rollouts already refused while parsing (their routes are not in the config). */
  refused?: readonly RouteRefusal[];
}

const HOST_CACHE_LIMIT = 1024;

/**
 * Compiles a validated config, one rollout at a time: a rollout whose matches do not compile is
 * refused, and keeps serving its route from `previous` when it had one, so one rollout's bad route
 * never stops the others from being applied. Match expressions are compiled before any connection
 * pool is opened; then every endpoint's upstream is acquired from `upstreams`.
 */
export function compileConfig(cfg: RouterConfig, deps: CompileOptions): CompiledConfig {
  const refused = [...(deps.refused ?? [])];
  const accepted: { route: RolloutRoute; matchers: Matchers }[] = [];
  for (const [i, r] of cfg.rollouts.entries()) {
    try {
      accepted.push({ route: r, matchers: compileRouteMatches(r, `rollouts[${i}]`) });
    } catch (err) {
      if (!(err instanceof RouterConfigError)) throw err;
      refused.push(refusal(r.rollout, err));
    }
  }
  for (const { rollout } of refused) {
    const lastGood = deps.previous?.rollouts.find((r) => r.rollout === rollout);
    if (!lastGood) continue;
    const kept = withFreshEndpoints(
      lastGood,
      cfg.rollouts.find((r) => r.rollout === rollout),
    );
    try {
      accepted.push({ route: kept, matchers: compileRouteMatches(kept, "") });
    } catch (err) {
      // Only a route saved by an older, laxer router fails here: it stays unserved, and reported.
      if (!(err instanceof RouterConfigError)) throw err;
    }
  }

  const routes = new Map<string, Route>();
  const byHost = new Map<string, Route>();
  let fallback: Route | undefined;
  for (const { route: r, matchers } of accepted) {
    const route = compileRoute(r, matchers, deps);
    routes.set(r.rollout, route);
    for (const host of r.hosts) if (!byHost.has(host.toLowerCase())) byHost.set(host.toLowerCase(), route);
    if (r.default && !fallback) fallback = route;
  }
  // The only route takes stray requests only if it is the only one sent: a refused rollout's host must
  // not fall through to another rollout's replicas.
  const sent = cfg.rollouts.length + (deps.refused?.length ?? 0);
  if (!fallback && routes.size === 1 && sent === 1) fallback = routes.values().next().value;
  const source = { generation: cfg.generation, rollouts: accepted.map((a) => a.route) };
  return { source, generation: cfg.generation, routes, byHost, fallback, hostCache: new Map(), refused };
}

interface Matchers {
  header: RequestMatcher[];
  mirror: RequestMatcher[];
}

function compileRouteMatches(r: RolloutRoute, at: string): Matchers {
  const where = at ? `${at}.traffic` : "traffic";
  return {
    header: r.traffic.headerRoutes.map((h, j) => compileMatches(h.match, `${where}.headerRoutes[${j}].match`, false)),
    mirror: r.traffic.mirrorRoutes.map((m, j) => compileMatches(m.match, `${where}.mirrorRoutes[${j}].match`, true)),
  };
}

/**
 * A refused rollout's last accepted route, dialling the endpoints it has now: replicas are the
 * platform's facts, not the refused part, and a replaced replica's old port answers nobody.
 */
function withFreshEndpoints(lastGood: RolloutRoute, sent: RolloutRoute | undefined): RolloutRoute {
  if (!sent) return lastGood;
  const now = new Map(sent.backends.map((b) => [b.revision, b.endpoints]));
  return {
    ...lastGood,
    backends: lastGood.backends.map((b) => {
      const endpoints = now.get(b.revision);
      return endpoints && endpoints.length > 0 ? { revision: b.revision, endpoints } : b;
    }),
  };
}

function compileRoute(r: RolloutRoute, matchers: Matchers, deps: CompileOptions): Route {
  const sticky = r.traffic.stickySession;
  const backends = new Map<string, Backend>();
  const endpointsOf = new Map(r.backends.map((b) => [b.revision, b.endpoints]));
  const backend = (revision: string): Backend => {
    let b = backends.get(revision);
    if (!b) {
      const upstreams = (endpointsOf.get(revision) ?? []).map((e) => deps.upstreams.acquire(e));
      const cookie = sticky
        ? `${sticky.cookieName}=${revision}; Path=/;${sticky.maxAgeSeconds > 0 ? ` Max-Age=${Math.floor(sticky.maxAgeSeconds)};` : ""} HttpOnly; SameSite=Lax`
        : undefined;
      const created: { -readonly [K in keyof Backend]: Backend[K] } = {
        revision,
        upstreams,
        next: 0,
        weight: r.traffic.weights[revision] ?? 0,
        series: deps.telemetry.series(r.rollout, revision),
        generatedSeries: deps.telemetry.series(r.rollout, revision, "generated"),
        stickyCookie: cookie,
        choices: {} as Record<ChoiceReason, Choice>,
      };
      created.choices = {
        header: { backend: created, via: "header" },
        cookie: { backend: created, via: "cookie" },
        weight: { backend: created, via: "weight" },
        preview: { backend: created, via: "preview" },
      };
      b = created;
      backends.set(revision, b);
    }
    return b;
  };
  for (const b of r.backends) backend(b.revision);
  for (const rev of Object.keys(r.traffic.weights)) backend(rev);
  return {
    rollout: r.rollout,
    backends,
    headerRoutes: r.traffic.headerRoutes.map((h, j) => ({
      backend: backend(h.revision),
      matches: matchers.header[j]!,
    })),
    mirrors: r.traffic.mirrorRoutes.map((m, j) => ({
      backend: backend(m.revision),
      matches: matchers.mirror[j]!,
      percentage: m.percentage,
      credit: 0,
    })),
    stickyCookieName: sticky?.cookieName,
    picker: new WeightedPicker([...backends.values()].map((b) => [b, b.weight] as const)),
    preview: r.traffic.preview ? backend(r.traffic.preview) : undefined,
    previewListen: r.previewListen,
  };
}

/** Every endpoint the config routes to, for retiring the others. */
export function endpointsOf(cfg: RouterConfig): Set<string> {
  const out = new Set<string>();
  for (const r of cfg.rollouts) for (const b of r.backends) for (const e of b.endpoints) out.add(e);
  return out;
}

/** Every rollout/revision pair the config names, for pruning telemetry. */
export function seriesKeysOf(compiled: CompiledConfig): Set<string> {
  const out = new Set<string>();
  for (const route of compiled.routes.values())
    for (const rev of route.backends.keys()) out.add(seriesKey(route.rollout, rev));
  return out;
}

/** The route for a Host header: by host name (port and case ignored), else the fallback route. */
export function routeForHost(cfg: CompiledConfig, hostHeader: string | undefined): Route | undefined {
  if (cfg.byHost.size === 0 || hostHeader === undefined) return cfg.fallback;
  const cached = cfg.hostCache.get(hostHeader);
  if (cached !== undefined) return cached ?? cfg.fallback;
  const route = cfg.byHost.get(hostName(hostHeader));
  if (cfg.hostCache.size < HOST_CACHE_LIMIT) cfg.hostCache.set(hostHeader, route ?? null);
  return route ?? cfg.fallback;
}

function hostName(header: string): string {
  let end: number;
  if (header.startsWith("[")) end = header.indexOf("]") + 1 || header.length;
  else {
    const colon = header.indexOf(":");
    end = colon < 0 ? header.length : colon;
  }
  return header.slice(0, end).toLowerCase();
}

/**
 * The revision for a request on the main listener: a matching header route first, then a sticky
 * cookie naming a revision that still has weight, then the weighted split.
 */
export function choose(route: Route, req: RequestView): Choice | undefined {
  for (const hr of route.headerRoutes) if (hr.matches(req)) return hr.backend.choices.header;
  if (route.stickyCookieName !== undefined) {
    const rev = cookieValue(req.headers.cookie, route.stickyCookieName);
    if (rev !== undefined) {
      const b = route.backends.get(rev);
      if (b && b.weight > 0) return b.choices.cookie;
    }
  }
  return route.picker.next()?.choices.weight;
}

/** True when this request should also be copied to the mirror; exact to the percentage over time. */
export function takeMirror(m: Mirror, req: RequestView): boolean {
  if (!m.matches(req)) return false;
  m.credit += m.percentage;
  if (m.credit < 100) return false;
  m.credit -= 100;
  return true;
}

/**
 * The next endpoint of a revision in round-robin order, skipping ones recently ejected after a
 * connection error (unless all are) and, for a retry, the one that just failed (unless it is the only one).
 */
export function pickUpstream(b: Backend, avoid?: Upstream): Upstream | undefined {
  const ups = b.upstreams;
  const n = ups.length;
  if (n === 0) return undefined;
  const start = b.next;
  b.next = start + 1 >= n ? 0 : start + 1;
  const first = ups[start]!;
  if (first.downUntil === 0 && first !== avoid) return first;
  const now = Date.now();
  for (let k = 0; k < n; k++) {
    const u = ups[(start + k) % n]!;
    if (u !== avoid && u.downUntil <= now) return u;
  }
  for (let k = 0; k < n; k++) {
    const u = ups[(start + k) % n]!;
    if (u !== avoid) return u;
  }
  return first;
}

/** Marks an endpoint as failing so the next picks prefer its siblings for a while. */
export function eject(u: Upstream): void {
  u.downUntil = Date.now() + EJECT_MS;
}
