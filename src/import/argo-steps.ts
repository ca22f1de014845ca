import { bool, child, duration, int, isObj, known, list, mapping, type Obj, put, str } from "./fields.js";
import type { Notes } from "./notes.js";

const STRING_MATCH_KEYS = ["exact", "prefix", "regex"];

/** `{exact|prefix|regex}`: the first one set; Sluice allows exactly one. */
export function stringMatch(raw: unknown, path: string, notes: Notes): Obj | undefined {
  const m = mapping(raw, path, notes);
  if (m === undefined) return undefined;
  known(m, path, notes, STRING_MATCH_KEYS);
  const set = STRING_MATCH_KEYS.filter((k) => typeof m[k] === "string");
  const [first, ...rest] = set;
  for (const k of rest) notes.warn(child(path, k), `Sluice matches one of exact, prefix or regex; kept ${first}`);
  return first === undefined ? undefined : { [first]: m[first] };
}

function templateRef(t: unknown, at: string, notes: Notes): Obj | undefined {
  // A template left out of an analysis is analysis the rollout loses.
  if (!isObj(t)) return void notes.unsupported(at, "an analysis template reference that is not a mapping");
  known(t, at, notes, ["templateName", "clusterScope"]);
  const name = str(t.templateName, child(at, "templateName"), notes);
  if (name === undefined) return void notes.unsupported(at, "an analysis template reference with no templateName");
  const ref: Obj = { templateName: name };
  put(ref, "clusterScope", bool(t.clusterScope, child(at, "clusterScope"), notes));
  return ref;
}

/** Template references and args of an analysis step, background analysis or blue-green analysis. */
export function rolloutAnalysis(
  raw: unknown,
  path: string,
  notes: Notes,
  extra: readonly string[] = [],
): Obj | undefined {
  const a = mapping(raw, path, notes);
  if (a === undefined) return undefined;
  known(a, path, notes, ["templates", "args", ...extra]);
  const templates: Obj[] = [];
  for (const [i, t] of list(a.templates, child(path, "templates"), notes).entries()) {
    const at = child(child(path, "templates"), i);
    const ref = templateRef(t, at, notes);
    if (ref) templates.push(ref);
  }
  if (templates.length === 0) {
    notes.warn(path, "names no analysis template; dropped");
    return undefined;
  }
  const args: Obj[] = [];
  list(a.args, child(path, "args"), notes).forEach((arg, i) => {
    const translated = rolloutArg(arg, child(child(path, "args"), i), notes);
    if (translated) args.push(translated);
  });
  return args.length > 0 ? { templates, args } : { templates };
}

function rolloutArg(raw: unknown, path: string, notes: Notes): Obj | undefined {
  if (!isObj(raw)) return void notes.warn(path, "expected a mapping; dropped");
  known(raw, path, notes, ["name", "value", "valueFrom"]);
  const name = str(raw.name, child(path, "name"), notes);
  if (name === undefined) return void notes.warn(path, "no name; dropped");
  const value = str(raw.value, child(path, "value"), notes);
  if (value !== undefined) return { name, value };
  const from = mapping(raw.valueFrom, child(path, "valueFrom"), notes);
  if (from === undefined) return void notes.warn(path, `argument "${name}" has no value; dropped`);
  const at = child(path, "valueFrom");
  if (from.fieldRef !== undefined)
    notes.warn(
      child(at, "fieldRef"),
      `Sluice cannot read fields of the rollout into argument "${name}"; set a value by hand; dropped`,
    );
  known(from, at, notes, ["podTemplateHashValue", "fieldRef"]);
  const hash = from.podTemplateHashValue;
  if (hash === "Stable" || hash === "Latest") return { name, valueFrom: { podTemplateHashValue: hash } };
  if (hash !== undefined) notes.warn(child(at, "podTemplateHashValue"), `expected Stable or Latest; dropped`);
  return undefined;
}

function headerRouteMatch(raw: unknown, path: string, notes: Notes): Obj | undefined {
  if (!isObj(raw)) return void notes.warn(path, "expected a mapping; dropped");
  known(raw, path, notes, ["headerName", "headerValue"]);
  const name = str(raw.headerName, child(path, "headerName"), notes);
  const value = stringMatch(raw.headerValue, child(path, "headerValue"), notes);
  if (name === undefined || value === undefined)
    return void notes.warn(path, "needs headerName and headerValue; dropped");
  return { headerName: name, headerValue: value };
}

/** A mirror match: `method`, `path` and `headers` (a map of header name to string match). */
function mirrorRouteMatch(raw: unknown, path: string, notes: Notes): Obj | undefined {
  if (!isObj(raw)) return void notes.warn(path, "expected a mapping; dropped");
  known(raw, path, notes, ["method", "path", "headers"]);
  const out: Obj = {};
  put(out, "method", stringMatch(raw.method, child(path, "method"), notes));
  put(out, "path", stringMatch(raw.path, child(path, "path"), notes));
  const headers = mapping(raw.headers, child(path, "headers"), notes) ?? {};
  let first = true;
  for (const [name, value] of Object.entries(headers)) {
    const at = child(child(path, "headers"), name);
    if (!first) {
      notes.warn(at, "Sluice matches one header per match entry; dropped");
      continue;
    }
    const m = stringMatch(value, at, notes);
    if (m) {
      out.headerName = name;
      out.headerValue = m;
      first = false;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function matches(raw: unknown, path: string, notes: Notes, one: typeof headerRouteMatch): Obj[] | undefined {
  if (raw === undefined) return undefined;
  const out: Obj[] = [];
  list(raw, path, notes).forEach((m, i) => {
    const t = one(m, child(path, i), notes);
    if (t) out.push(t);
  });
  return out;
}

function route(raw: unknown, path: string, notes: Notes, mirror: boolean): Obj | undefined {
  const r = mapping(raw, path, notes);
  if (r === undefined) return undefined;
  known(r, path, notes, mirror ? ["name", "match", "percentage"] : ["name", "match"]);
  const name = str(r.name, child(path, "name"), notes);
  if (name === undefined) return void notes.warn(path, "no name; dropped");
  const out: Obj = { name };
  put(out, "match", matches(r.match, child(path, "match"), notes, mirror ? mirrorRouteMatch : headerRouteMatch));
  if (mirror) put(out, "percentage", int(r.percentage, child(path, "percentage"), notes));
  return out;
}

function scale(raw: unknown, path: string, notes: Notes): Obj | undefined {
  const s = mapping(raw, path, notes);
  if (s === undefined) return undefined;
  known(s, path, notes, ["replicas", "weight", "matchTrafficWeight"]);
  const out: Obj = {};
  put(out, "replicas", int(s.replicas, child(path, "replicas"), notes));
  put(out, "weight", int(s.weight, child(path, "weight"), notes));
  if (bool(s.matchTrafficWeight, child(path, "matchTrafficWeight"), notes)) out.matchTrafficWeight = true;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** One Argo canary step as a Sluice step; undefined (with a warning) when it has no equivalent. */
export function canaryStep(raw: unknown, path: string, notes: Notes): Obj | undefined {
  if (!isObj(raw)) return void notes.warn(path, "expected a mapping; dropped");
  known(raw, path, notes, [
    "setWeight",
    "pause",
    "analysis",
    "setCanaryScale",
    "setHeaderRoute",
    "setMirrorRoute",
    "experiment",
  ]);
  if (raw.setWeight !== undefined) {
    const w = int(raw.setWeight, child(path, "setWeight"), notes);
    return w === undefined ? undefined : { setWeight: w };
  }
  if (raw.pause !== undefined) {
    const p = isObj(raw.pause) ? raw.pause : {};
    known(p, child(path, "pause"), notes, ["duration"]);
    const d = duration(p.duration, child(child(path, "pause"), "duration"), notes);
    return { pause: d === undefined ? {} : { duration: d } };
  }
  const at = (k: string) => child(path, k);
  if (raw.analysis !== undefined) {
    const a = rolloutAnalysis(raw.analysis, at("analysis"), notes);
    return a && { analysis: a };
  }
  if (raw.setCanaryScale !== undefined) {
    const s = scale(raw.setCanaryScale, at("setCanaryScale"), notes);
    return s && { setCanaryScale: s };
  }
  if (raw.setHeaderRoute !== undefined) {
    const r = route(raw.setHeaderRoute, at("setHeaderRoute"), notes, false);
    return r && { setHeaderRoute: r };
  }
  if (raw.setMirrorRoute !== undefined) {
    const r = route(raw.setMirrorRoute, at("setMirrorRoute"), notes, true);
    return r && { setMirrorRoute: r };
  }
  if (raw.experiment !== undefined) {
    // An experiment's analyses gate the step; without them it only runs extra versions for a while.
    const e = isObj(raw.experiment) ? raw.experiment : {};
    if (Array.isArray(e.analyses) && e.analyses.length > 0)
      notes.unsupported(
        at("experiment"),
        "an experiment step with analyses gates the rollout, and Argo Experiments are not supported yet",
      );
    else notes.warn(at("experiment"), "Argo Experiments are not supported yet; dropped");
    return undefined;
  }
  if (Object.keys(raw).length === 0) notes.warn(path, "empty step; dropped");
  return undefined;
}
