import type { ImportContext } from "./context.js";
import {
  bool,
  child,
  duration,
  isObj,
  known,
  METRIC_ORDER,
  mapping,
  type Obj,
  ordered,
  str,
  stringMap,
} from "./fields.js";
import { suggestFlaggerJudge } from "./judge-suggestions.js";
import type { Notes } from "./notes.js";

/** What a Canary's metric queries may refer to, as Flagger fills in `{{ namespace }}`, `{{ target }}`... */
export interface CanaryFacts {
  name: string;
  namespace?: string;
  target: string;
  service: string;
  ingress?: string;
}

/** How each metric is measured within one analysis step, derived from the Canary's analysis. */
export interface MeasurePlan {
  /** Measurements per step at most. */
  count: number;
  /** Failed measurements tolerated per step: Flagger's threshold minus one. */
  failureLimit: number;
  /** End the step at the first passing measurement (a canary weight step), rather than after `count`. */
  untilFirstSuccess: boolean;
}

/** The template arguments the translated queries refer to, each with its value from the Canary. */
export class TemplateArgs {
  readonly list: { name: string; value: string }[] = [];

  /** The argument name for this value: `name` unless taken by another value, then `name-2`, `name-3`... */
  ref(name: string, value: string): string {
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? name : `${name}-${n}`;
      const existing = this.list.find((a) => a.name === candidate);
      if (existing === undefined) {
        this.list.push({ name: candidate, value });
        return candidate;
      }
      if (existing.value === value) return candidate;
    }
  }
}

// Flagger writes `{{ target }}`; some users write Go-template style `{{ .Target }}`.
const VARIABLE = /\{\{\s*\.?([A-Za-z]+)(?:\.([\w-]+))?\s*\}\}/g;

/** Replaces Flagger's query variables with `{{args.NAME}}` references; unknown ones are warned about. */
function substitute(
  query: string,
  values: { facts: CanaryFacts; interval: string; variables: Record<string, string> },
  args: TemplateArgs,
  path: string,
  notes: Notes,
): string {
  return query.replace(VARIABLE, (whole, rawName: string, sub: string | undefined) => {
    const name = rawName.toLowerCase();
    let value: string | undefined;
    let argName = name;
    if (name === "variables" && sub !== undefined) {
      value = values.variables[sub];
      argName = sub;
    } else if (sub === undefined) {
      const { facts } = values;
      const known: Record<string, string | undefined> = {
        namespace: facts.namespace ?? "default",
        target: facts.target,
        service: facts.service,
        ingress: facts.ingress,
        interval: values.interval,
      };
      value = Object.hasOwn(known, name) ? known[name] : undefined;
    }
    if (value === undefined) {
      notes.warn(path, `no value for ${whole}; left as written`);
      return whole;
    }
    return `{{args.${args.ref(argName, value)}}}`;
  });
}

/** A `thresholdRange` (or a `threshold` read as one) as a CEL condition on `subject`; percentages are divided by `scale`. */
function rangeCondition(range: Obj | undefined, subject: string, scale = 1): string | undefined {
  if (range === undefined) return undefined;
  const num = (v: unknown) => (typeof v === "number" ? Number((v / scale).toPrecision(12)) : undefined);
  const parts: string[] = [];
  const min = num(range.min);
  const max = num(range.max);
  if (min !== undefined) parts.push(`${subject} >= ${min}`);
  if (max !== undefined) parts.push(`${subject} <= ${max}`);
  return parts.length > 0 ? parts.join(" && ") : undefined;
}

/** A Flagger MetricTemplate's provider and query as a Sluice prometheus provider, or why it cannot be. */
function templateProvider(
  tmpl: Obj,
  notes: Notes,
  substituteQuery: (q: string, path: string, notes: Notes) => string,
): Obj | string {
  known(tmpl, "", notes, ["apiVersion", "kind", "metadata", "spec"], ["status"]);
  const spec = mapping(tmpl.spec, "spec", notes) ?? {};
  known(spec, "spec", notes, ["provider", "query"]);
  const p = mapping(spec.provider, "spec.provider", notes) ?? {};
  known(p, "spec.provider", notes, ["type", "address", "secretRef", "insecureSkipVerify"]);
  const type = str(p.type, "spec.provider.type", notes) ?? "prometheus";
  if (type !== "prometheus") return `Sluice has no ${type} provider yet`;
  const address = str(p.address, "spec.provider.address", notes);
  const query = str(spec.query, "spec.query", notes);
  if (address === undefined || !/^https?:\/\//.test(address) || query === undefined)
    return "it needs a provider address (http or https) and a query";
  if (p.secretRef !== undefined)
    notes.warn("spec.provider.secretRef", "credentials are not read from Secrets; set authentication by hand; dropped");
  const out: Obj = { address, query: substituteQuery(query, "spec.query", notes) };
  if (bool(p.insecureSkipVerify, "spec.provider.insecureSkipVerify", notes)) out.insecure = true;
  return { prometheus: out };
}

const BUILTIN: Record<string, { subject: string; scale: number }> = {
  "request-success-rate": { subject: "result.canary.successRate", scale: 100 },
  "request-duration": { subject: "result.canary.p99", scale: 1 },
};

/**
 * The condition a metric's value must meet. `thresholdRange` wins, as in Flagger; the deprecated
 * `threshold` is, as Flagger reads it, a minimum success rate, a maximum duration, and for a
 * MetricTemplate the same as `thresholdRange.min`.
 */
function metricCondition(
  m: Obj,
  at: string,
  kind: "request-success-rate" | "request-duration" | "template",
  notes: Notes,
): string | undefined {
  const range = mapping(m.thresholdRange, child(at, "thresholdRange"), notes);
  const threshold = m.threshold;
  if (threshold !== undefined && typeof threshold !== "number") {
    notes.warn(child(at, "threshold"), "expected a number; ignored");
  } else if (threshold !== undefined && range !== undefined) {
    notes.warn(child(at, "threshold"), "thresholdRange is set too and wins, as in Flagger; ignored");
  }
  const fallback =
    range === undefined && typeof threshold === "number"
      ? kind === "request-duration"
        ? { max: threshold }
        : { min: threshold }
      : undefined;
  const chosen = range ?? fallback;
  if (kind === "template") return rangeCondition(chosen, "result[0]");
  const builtin = BUILTIN[kind] as { subject: string; scale: number };
  return rangeCondition(chosen, builtin.subject, builtin.scale);
}

function flaggerMetric(
  m: unknown,
  at: string,
  facts: CanaryFacts,
  defaultInterval: string | number,
  plan: MeasurePlan,
  args: TemplateArgs,
  ctx: ImportContext,
): Obj | undefined {
  const notes = ctx.notes;
  if (!isObj(m)) return void notes.unsupported(at, "a metric that is not a mapping cannot be translated");
  known(m, at, notes, ["name", "interval", "threshold", "thresholdRange", "templateRef", "templateVariables"]);
  const name = str(m.name, child(at, "name"), notes);
  if (name === undefined) return void notes.unsupported(at, "a metric with no name cannot be translated");
  const interval = duration(m.interval, child(at, "interval"), notes) ?? defaultInterval;
  let provider: Obj | undefined;
  let condition: string | undefined;
  const ref = mapping(m.templateRef, child(at, "templateRef"), notes);
  if (ref) {
    const refName = typeof ref.name === "string" ? ref.name : "";
    const ns = typeof ref.namespace === "string" ? ref.namespace : facts.namespace;
    const found = ctx.find("MetricTemplate", refName, ns);
    if (found === undefined)
      return void notes.unsupported(
        child(at, "templateRef"),
        `metric "${name}": MetricTemplate ${refName} is not in the input (import it together with the Canary)`,
      );
    const variables = stringMap(m.templateVariables, child(at, "templateVariables"), notes) ?? {};
    const sub = (q: string, p: string, n: Notes) =>
      substitute(q, { facts, interval: String(m.interval ?? defaultInterval), variables }, args, p, n);
    const translated = templateProvider(found.value, found.notes, sub);
    if (typeof translated === "string")
      return void notes.unsupported(
        child(at, "templateRef"),
        `metric "${name}": MetricTemplate ${refName} cannot be translated: ${translated}`,
      );
    provider = translated;
    condition = metricCondition(m, at, "template", notes);
  } else if (name === "request-success-rate" || name === "request-duration") {
    provider = { builtin: { window: interval } };
    condition = metricCondition(m, at, name, notes);
    if (condition !== undefined) suggestFlaggerJudge(name, interval, at, notes);
  } else return void notes.unsupported(at, `metric "${name}" is not a Flagger builtin metric and has no templateRef`);
  if (condition === undefined)
    return void notes.unsupported(
      at,
      `metric "${name}" has neither thresholdRange nor threshold, so there is nothing to judge`,
    );
  // Flagger checks a weight one interval after setting it; so does the first measurement here.
  const metric: Obj = { name, provider, interval, initialDelay: interval, count: plan.count };
  metric.successCondition = condition;
  metric.failureLimit = plan.failureLimit;
  if (plan.untilFirstSuccess) metric.consecutiveSuccessLimit = 1;
  return ordered(metric, METRIC_ORDER);
}

/**
 * A Canary's metrics as Sluice metrics. `request-success-rate` and `request-duration` use the
 * builtin provider (Flagger's percent becomes a fraction; durations stay milliseconds); a
 * `templateRef` uses the MetricTemplate's Prometheus query, its variables turned into `args`.
 */
export function flaggerMetrics(
  raw: unknown[],
  path: string,
  facts: CanaryFacts,
  defaultInterval: string | number,
  plan: MeasurePlan,
  args: TemplateArgs,
  ctx: ImportContext,
): Obj[] {
  const out: Obj[] = [];
  for (const [i, m] of raw.entries()) {
    const metric = flaggerMetric(m, child(path, i), facts, defaultInterval, plan, args, ctx);
    if (metric) out.push(metric);
  }
  return out;
}
