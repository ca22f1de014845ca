import { child, isObj, known, list, mapping, type Obj, put, str, stringMap } from "./fields.js";
import type { Notes } from "./notes.js";

/** The Argo traffic router plugin that Sluice's `gatewayAPI` router stands for. */
export const GATEWAY_API_PLUGIN = "argoproj-labs/gatewayAPI";

/** The first name of a singular field or of its plural list form; the other list entries are warned about. */
function oneOf(
  single: unknown,
  plural: unknown,
  path: string,
  pluralKey: string,
  notes: Notes,
  nameOf: (v: unknown, at: string) => string | undefined,
): string | undefined {
  if (single !== undefined) return nameOf(single, path);
  const names = list(plural, child(path, pluralKey), notes);
  names.slice(1).forEach((_, i) => {
    notes.warn(child(child(path, pluralKey), i + 1), "Sluice routes through one; dropped");
  });
  return names[0] === undefined ? undefined : nameOf(names[0], child(child(path, pluralKey), 0));
}

function nginx(raw: Obj, path: string, notes: Notes): Obj | undefined {
  known(raw, path, notes, ["stableIngress", "stableIngresses", "annotationPrefix", "additionalIngressAnnotations"]);
  const ingress = oneOf(raw.stableIngress, raw.stableIngresses, path, "stableIngresses", notes, (v, at) =>
    str(v, at, notes),
  );
  if (ingress === undefined) return void notes.warn(path, "no stableIngress; dropped");
  const out: Obj = { stableIngress: ingress };
  put(out, "annotationPrefix", str(raw.annotationPrefix, child(path, "annotationPrefix"), notes));
  put(
    out,
    "additionalIngressAnnotations",
    stringMap(raw.additionalIngressAnnotations, child(path, "additionalIngressAnnotations"), notes),
  );
  return out;
}

function virtualService(raw: unknown, path: string, notes: Notes): Obj | undefined {
  const vs = mapping(raw, path, notes);
  if (vs === undefined) return undefined;
  known(vs, path, notes, ["name", "routes"]);
  const name = str(vs.name, child(path, "name"), notes);
  if (name === undefined) return undefined;
  const routes = list(vs.routes, child(path, "routes"), notes).filter((r): r is string => typeof r === "string");
  const out = nameAndNamespace(name);
  return routes.length > 0 ? { ...out, routes } : out;
}

/** Argo writes an Istio object in another namespace as `name.namespace`; Sluice has a field for it. */
function nameAndNamespace(ref: string): { name: string; namespace?: string } {
  const parts = ref.split(".");
  return parts.length === 2 && parts[0] && parts[1] ? { name: parts[0], namespace: parts[1] } : { name: ref };
}

function istio(raw: Obj, path: string, notes: Notes): Obj | undefined {
  known(raw, path, notes, ["virtualService", "virtualServices", "destinationRule"]);
  let vs: Obj | undefined;
  if (raw.virtualService !== undefined) vs = virtualService(raw.virtualService, child(path, "virtualService"), notes);
  else {
    const all = list(raw.virtualServices, child(path, "virtualServices"), notes);
    all.slice(1).forEach((_, i) => {
      notes.warn(child(child(path, "virtualServices"), i + 1), "Sluice routes through one virtual service; dropped");
    });
    vs = virtualService(all[0], child(child(path, "virtualServices"), 0), notes);
  }
  if (vs === undefined) return void notes.warn(path, "no virtualService; dropped");
  const out: Obj = { virtualService: vs };
  const dr = mapping(raw.destinationRule, child(path, "destinationRule"), notes);
  if (dr) {
    const at = child(path, "destinationRule");
    known(dr, at, notes, ["name", "canarySubsetName", "stableSubsetName"]);
    const fields = ["name", "canarySubsetName", "stableSubsetName"].map((k) => str(dr[k], child(at, k), notes));
    if (fields.every((f) => f !== undefined)) {
      const [name, canarySubsetName, stableSubsetName] = fields as string[];
      out.destinationRule = { ...nameAndNamespace(name as string), canarySubsetName, stableSubsetName };
    } else notes.warn(at, "needs name, canarySubsetName and stableSubsetName; dropped");
  }
  return out;
}

function gatewayApi(raw: unknown, path: string, notes: Notes): Obj | undefined {
  const g = mapping(raw, path, notes);
  if (g === undefined) return undefined;
  // useHeaderRoutes only switches on what Sluice always does.
  known(g, path, notes, ["httpRoute", "httpRoutes", "namespace"], ["useHeaderRoutes"]);
  const route = oneOf(g.httpRoute, g.httpRoutes, path, "httpRoutes", notes, (v, at) => {
    if (isObj(v)) {
      known(v, at, notes, ["name"], ["useHeaderRoutes"]);
      return str(v.name, child(at, "name"), notes);
    }
    return str(v, at, notes);
  });
  if (route === undefined) return void notes.warn(path, "no httpRoute; dropped");
  const out: Obj = { httpRoute: route };
  put(out, "namespace", str(g.namespace, child(path, "namespace"), notes));
  return out;
}

/**
 * Argo `trafficRouting` as Sluice's: nginx, istio, smi and the Gateway API plugin carry over;
 * alb, ambassador, traefik, apisix, appMesh and other plugins have no Sluice router and are dropped.
 */
export function trafficRouting(raw: unknown, path: string, notes: Notes): Obj | undefined {
  const tr = mapping(raw, path, notes);
  if (tr === undefined) return undefined;
  known(tr, path, notes, ["nginx", "istio", "smi", "plugins", "managedRoutes"]);
  const out: Obj = {};
  const sub = (k: string) => mapping(tr[k], child(path, k), notes);
  const n = sub("nginx");
  if (n) put(out, "nginx", nginx(n, child(path, "nginx"), notes));
  const i = sub("istio");
  if (i) put(out, "istio", istio(i, child(path, "istio"), notes));
  const s = sub("smi");
  if (s) {
    known(s, child(path, "smi"), notes, ["rootService", "trafficSplitName"]);
    const smi: Obj = {};
    put(smi, "rootService", str(s.rootService, child(child(path, "smi"), "rootService"), notes));
    put(smi, "trafficSplitName", str(s.trafficSplitName, child(child(path, "smi"), "trafficSplitName"), notes));
    out.smi = smi;
  }
  const plugins = sub("plugins");
  if (plugins) {
    known(plugins, child(path, "plugins"), notes, [GATEWAY_API_PLUGIN]);
    const at = child(child(path, "plugins"), GATEWAY_API_PLUGIN);
    put(out, "gatewayAPI", gatewayApi(plugins[GATEWAY_API_PLUGIN], at, notes));
  }
  const routes: Obj[] = [];
  list(tr.managedRoutes, child(path, "managedRoutes"), notes).forEach((r, k) => {
    const name = isObj(r) ? str(r.name, child(child(child(path, "managedRoutes"), k), "name"), notes) : undefined;
    if (name !== undefined) routes.push({ name });
  });
  if (routes.length > 0) out.managedRoutes = routes;
  return Object.keys(out).length > 0 ? out : undefined;
}
