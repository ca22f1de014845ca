import type { TrafficRouting } from "../../../model/strategy.js";
import { asRegex, type Owner, ownedMetadata, ROUTING_FIELD } from "./managed.js";
import type { KubeObject } from "./objects.js";
import { type HeaderRoute, type RouterTargets, TrafficRoutingError } from "./port.js";

/** The pure half of the NGINX Ingress router: the canary Ingress derived from the user's stable one. */

export const NGINX_ROUTER = "nginx";

export type NginxConfig = NonNullable<TrafficRouting["nginx"]>;

const DEFAULT_PREFIX = "nginx.ingress.kubernetes.io";
const CLASS_ANNOTATION = "kubernetes.io/ingress.class";
const FIELD = `${ROUTING_FIELD}.nginx`;

/** `<stableIngress>-<rollout>-canary`, cut to the 253 characters an object name may have. */
export function canaryIngressName(stableIngress: string, rollout: string): string {
  const suffix = `-${rollout}-canary`;
  return `${stableIngress.slice(0, 253 - suffix.length)}${suffix}`;
}

const prefixOf = (config: NginxConfig) => config.annotationPrefix ?? DEFAULT_PREFIX;

/** The canary annotations NGINX reads, for one header route at most (NGINX has a single header match). */
export function headerAnnotations(config: NginxConfig, routes: HeaderRoute[]): Record<string, string> {
  const p = prefixOf(config);
  const usable = routes.filter((r) => r.match.length > 0);
  const matches = usable.flatMap((r) => r.match);
  if (matches.length === 0) return {};
  if (matches.length > 1)
    throw new TrafficRoutingError(
      `NGINX Ingress canaries match one header only, got ${matches.length} matches in ${usable.map((r) => `"${r.name}"`).join(", ")}: keep one header match`,
      NGINX_ROUTER,
    );
  const m = matches[0] as NonNullable<(typeof matches)[0]>;
  const extra = Object.keys(m).filter((k) => k !== "headerName" && k !== "headerValue");
  if (m.headerName === undefined || m.headerValue === undefined || extra.length > 0)
    throw new TrafficRoutingError(
      `NGINX Ingress canaries match a header name and value only (route "${usable[0]?.name}"${extra.length ? ` also sets ${extra.join(", ")}` : " needs headerName and headerValue"})`,
      NGINX_ROUTER,
    );
  return m.headerValue.exact !== undefined
    ? { [`${p}/canary-by-header`]: m.headerName, [`${p}/canary-by-header-value`]: m.headerValue.exact }
    : { [`${p}/canary-by-header`]: m.headerName, [`${p}/canary-by-header-pattern`]: asRegex(m.headerValue) };
}

/** The header annotations an existing canary Ingress carries, to keep them across a weight change. */
export function currentHeaderAnnotations(canary: KubeObject | undefined, config: NginxConfig): Record<string, string> {
  const p = prefixOf(config);
  const keys = [`${p}/canary-by-header`, `${p}/canary-by-header-value`, `${p}/canary-by-header-pattern`];
  const a = canary?.metadata.annotations ?? {};
  return Object.fromEntries(keys.filter((k) => a[k] !== undefined).map((k) => [k, a[k] as string]));
}

/** The weight an existing canary Ingress carries; no canary Ingress means no canary traffic. */
export function canaryIngressWeight(canary: KubeObject | undefined, config: NginxConfig): number | undefined {
  if (!canary) return 0;
  const v = canary.metadata.annotations?.[`${prefixOf(config)}/canary-weight`];
  const n = v === undefined ? Number.NaN : Number(v);
  return Number.isFinite(n) ? n : undefined;
}

interface Backend {
  service?: { name?: string; port?: unknown };
  [key: string]: unknown;
}
interface IngressPath {
  backend?: Backend;
  [key: string]: unknown;
}
interface IngressRule {
  host?: string;
  http?: { paths?: IngressPath[] };
  [key: string]: unknown;
}

const toCanary = (b: Backend, targets: RouterTargets): Backend | undefined =>
  b.service?.name === targets.stableService
    ? { ...b, service: { ...b.service, name: targets.canaryService } }
    : undefined;

/** The stable Ingress's hosts and paths that reach the stable Service, sent to the canary Service instead. */
function canarySpec(stable: KubeObject, targets: RouterTargets, where: string): Record<string, unknown> {
  const spec = structuredClone(stable.spec ?? {}) as {
    rules?: IngressRule[];
    defaultBackend?: Backend;
    ingressClassName?: string;
  };
  const rules: IngressRule[] = [];
  for (const rule of spec.rules ?? []) {
    const paths = (rule.http?.paths ?? []).flatMap((p) => {
      const backend = p.backend && toCanary(p.backend, targets);
      return backend ? [{ ...p, backend }] : [];
    });
    if (paths.length) rules.push({ ...rule, http: { ...rule.http, paths } });
  }
  const defaultBackend = spec.defaultBackend && toCanary(spec.defaultBackend, targets);
  if (rules.length === 0 && !defaultBackend)
    throw new TrafficRoutingError(
      `${where} has no path to the stable Service "${targets.stableService}" (${FIELD}.stableIngress): point a path at it`,
      NGINX_ROUTER,
    );
  return {
    ...(spec.ingressClassName ? { ingressClassName: spec.ingressClassName } : {}),
    ...(defaultBackend ? { defaultBackend } : {}),
    ...(rules.length ? { rules } : {}),
  };
}

/** Everything that decides the canary Ingress. */
export interface CanaryIngressInput {
  stable: KubeObject;
  /** The canary Ingress as it is now, if any: its identity and resourceVersion are kept. */
  existing: KubeObject | undefined;
  name: string;
  owner: Owner;
  config: NginxConfig;
  targets: RouterTargets;
  weight: number;
  header: Record<string, string>;
}

/** The whole canary Ingress: hosts and paths from the stable one, the canary annotations, nothing else. */
export function canaryIngress(input: CanaryIngressInput): KubeObject {
  const { stable, existing, config, targets, owner } = input;
  const p = prefixOf(config);
  const where = `Ingress ${targets.namespace}/${stable.metadata.name}`;
  const cls = stable.metadata.annotations?.[CLASS_ANNOTATION];
  const annotations: Record<string, string> = {
    ...(cls ? { [CLASS_ANNOTATION]: cls } : {}),
    ...config.additionalIngressAnnotations,
    [`${p}/canary`]: "true",
    [`${p}/canary-weight`]: String(input.weight),
    ...input.header,
  };
  const metadata = {
    ...(existing ? structuredClone(existing.metadata) : {}),
    name: input.name,
    namespace: targets.namespace,
    ...ownedMetadata(owner),
    annotations,
  };
  return {
    // Status and server-set fields of an existing Ingress ride along, so an unchanged Ingress compares equal.
    ...(existing ? structuredClone(existing) : {}),
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata,
    spec: canarySpec(stable, targets, where),
  };
}
