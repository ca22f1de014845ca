import { checkCondition } from "../analysis/conditions.js";
import { API_VERSION } from "../model/meta.js";
import { translateProvider } from "./argo-providers.js";
import type { ImportContext } from "./context.js";
import { exprToCel } from "./expr-to-cel.js";
import {
  child,
  duration,
  int,
  isObj,
  known,
  list,
  METRIC_ORDER,
  mapping,
  type Obj,
  ordered,
  put,
  str,
} from "./fields.js";
import { suggestArgoJudge } from "./judge-suggestions.js";
import { translateMeta } from "./meta.js";
import type { Notes } from "./notes.js";

/** Annotation holding the Argo conditions as written, by `metric.field`, as JSON. */
export const ORIGINAL_CONDITION_ANNOTATION = "sluice.dev/original-condition";

const LIMITS = ["failureLimit", "inconclusiveLimit", "consecutiveErrorLimit", "consecutiveSuccessLimit"] as const;
const CONDITIONS = ["successCondition", "failureCondition"] as const;

function templateArg(raw: unknown, path: string, notes: Notes): Obj | undefined {
  if (!isObj(raw)) return void notes.warn(path, "expected a mapping; dropped");
  known(raw, path, notes, ["name", "value", "valueFrom"]);
  const name = str(raw.name, child(path, "name"), notes);
  if (name === undefined) return void notes.warn(path, "no name; dropped");
  const out: Obj = { name };
  put(out, "value", str(raw.value, child(path, "value"), notes));
  const from = mapping(raw.valueFrom, child(path, "valueFrom"), notes);
  if (from) {
    const at = child(path, "valueFrom");
    if (from.fieldRef !== undefined)
      notes.warn(child(at, "fieldRef"), `Sluice cannot read fields of the rollout into argument "${name}"; dropped`);
    known(from, at, notes, ["secretKeyRef", "fieldRef"]);
    const ref = mapping(from.secretKeyRef, child(at, "secretKeyRef"), notes);
    if (ref && typeof ref.name === "string" && typeof ref.key === "string")
      out.valueFrom = { secretKeyRef: { name: ref.name, key: ref.key } };
  }
  return out;
}

/** Translates one condition; records the original when it changed and warns when it could not be. */
function condition(expr: string, path: string, notes: Notes): { cel: string; changed: boolean } {
  const { cel, problems } = exprToCel(expr);
  if (problems.length > 0) {
    // Half a translation reads as neither language; the original is clearer to fix by hand.
    notes.warn(path, `cannot translate ${problems.join(", ")} to CEL; kept as written, fix it by hand`);
    return { cel: expr, changed: false };
  }
  const check = checkCondition(cel);
  if (!check.ok)
    notes.warn(path, `translated to ${JSON.stringify(cel)}, which is not valid CEL: ${check.message}; fix it by hand`);
  return { cel, changed: cel !== expr };
}

interface MetricOut {
  metric?: Obj;
  originals: Record<string, string>;
}

function metric(raw: unknown, path: string, notes: Notes): MetricOut {
  const originals: Record<string, string> = {};
  // A metric left out makes every rollout using the template less guarded: refused unless --drop-unsupported.
  if (!isObj(raw)) {
    notes.unsupported(path, "a metric that is not a mapping cannot be translated");
    return { originals };
  }
  known(raw, path, notes, ["name", "provider", "interval", "initialDelay", "count", ...CONDITIONS, ...LIMITS]);
  const name = str(raw.name, child(path, "name"), notes);
  if (name === undefined) {
    notes.unsupported(path, "a metric with no name cannot be translated");
    return { originals };
  }
  const provider = translateProvider(raw.provider, child(path, "provider"), notes);
  if ("dropped" in provider) {
    const kind = isObj(raw.provider) ? Object.keys(raw.provider)[0] : undefined;
    const at = kind === undefined ? child(path, "provider") : child(child(path, "provider"), kind);
    notes.unsupported(at, `metric "${name}" cannot be translated: ${provider.dropped}`);
    return { originals };
  }
  const out: Obj = { name, provider: provider.provider };
  put(out, "interval", duration(raw.interval, child(path, "interval"), notes));
  put(out, "initialDelay", duration(raw.initialDelay, child(path, "initialDelay"), notes));
  put(out, "count", int(raw.count, child(path, "count"), notes));
  for (const field of CONDITIONS) {
    const expr = str(raw[field], child(path, field), notes);
    if (expr === undefined) continue;
    const { cel, changed } = condition(expr, child(path, field), notes);
    out[field] = cel;
    if (changed) originals[`${name}.${field}`] = expr;
  }
  for (const k of LIMITS) put(out, k, int(raw[k], child(path, k), notes));
  suggestArgoJudge(out, path, notes);
  return { metric: ordered(out, METRIC_ORDER), originals };
}

/**
 * Argo's `dryRun` / `measurementRetention` entries name metrics by regular expression; Sluice by
 * exact name. Each entry becomes one per kept metric it matches.
 */
function perMetric(raw: unknown, path: string, names: string[], notes: Notes, extra: "limit" | undefined): Obj[] {
  const out: Obj[] = [];
  for (const [i, e] of list(raw, path, notes).entries()) {
    const at = child(path, i);
    if (!isObj(e) || typeof e.metricName !== "string") {
      notes.warn(at, "no metricName; dropped");
      continue;
    }
    known(e, at, notes, extra ? ["metricName", extra] : ["metricName"]);
    const pattern = e.metricName;
    let matched = names.includes(pattern) ? [pattern] : [];
    if (matched.length === 0) {
      try {
        const re = new RegExp(`^(?:${pattern})$`);
        matched = names.filter((n) => re.test(n));
      } catch {
        matched = [];
      }
    }
    const limit = extra ? int(e[extra], child(at, extra), notes) : undefined;
    if (extra && limit === undefined) continue;
    for (const metricName of matched)
      if (!out.some((o) => o.metricName === metricName)) out.push(extra ? { metricName, limit } : { metricName });
  }
  return out;
}

/** An Argo AnalysisTemplate or ClusterAnalysisTemplate, with conditions translated to CEL. */
export function translateArgoAnalysisTemplate(raw: Obj, ctx: ImportContext): Obj[] {
  const notes = ctx.notes;
  known(raw, "", notes, ["apiVersion", "kind", "metadata", "spec"], ["status"]);
  const metadata = translateMeta(raw, notes);
  const spec = mapping(raw.spec, "spec", notes) ?? {};
  known(spec, "spec", notes, ["args", "metrics", "templates", "dryRun", "measurementRetention"]);
  const out: Obj = {};
  const args: Obj[] = [];
  list(spec.args, "spec.args", notes).forEach((a, i) => {
    const t = templateArg(a, child("spec.args", i), notes);
    if (t) args.push(t);
  });
  if (args.length > 0) out.args = args;
  const metrics: Obj[] = [];
  const originals: Record<string, string> = {};
  list(spec.metrics, "spec.metrics", notes).forEach((m, i) => {
    const t = metric(m, child("spec.metrics", i), notes);
    if (t.metric) metrics.push(t.metric);
    Object.assign(originals, t.originals);
  });
  out.metrics = metrics;
  const refs: Obj[] = [];
  list(spec.templates, "spec.templates", notes).forEach((t, i) => {
    if (isObj(t) && typeof t.templateName === "string")
      refs.push(
        t.clusterScope === true
          ? { templateName: t.templateName, clusterScope: true }
          : { templateName: t.templateName },
      );
    else notes.warn(child("spec.templates", i), "no templateName; dropped");
  });
  if (refs.length > 0) out.templates = refs;
  const names = metrics.map((m) => m.name as string);
  const dryRun = perMetric(spec.dryRun, "spec.dryRun", names, notes, undefined);
  if (dryRun.length > 0) out.dryRun = dryRun;
  const retention = perMetric(spec.measurementRetention, "spec.measurementRetention", names, notes, "limit");
  if (retention.length > 0) out.measurementRetention = retention;
  if (Object.keys(originals).length > 0) {
    const annotations = isObj(metadata.annotations) ? metadata.annotations : {};
    annotations[ORIGINAL_CONDITION_ANNOTATION] = JSON.stringify(originals);
    metadata.annotations = annotations;
  }
  return [{ apiVersion: API_VERSION, kind: raw.kind, metadata, spec: out }];
}
