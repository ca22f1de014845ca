import type { Action } from "../engine/types.js";
import {
  type AnalysisRun,
  type AnalysisTemplate,
  API_VERSION,
  type Argument,
  type ClusterAnalysisTemplate,
  type Metric,
} from "../model/index.js";
import type { AnalysisRunArg } from "../model/strategy.js";
import { substituteArgs } from "./args.js";
import { AnalysisConfigError } from "./errors.js";

/** The engine's request to start an analysis run. */
export type StartAnalysisRun = Extract<Action, { type: "startAnalysisRun" }>;

/** Finds templates by name; both stores answer undefined for a name they do not hold. */
export interface TemplateLookup {
  template(name: string): AnalysisTemplate | undefined;
  clusterTemplate(name: string): ClusterAnalysisTemplate | undefined;
}

/** Where `valueFrom` template args are read from. `readFile` may throw; `readSecret` exists only on Kubernetes. */
export interface ArgSources {
  readEnv(name: string): string | undefined;
  readFile(path: string): string;
  readSecret?(name: string, key: string): string | undefined;
}

/** Labels every run carries, so runs can be listed per rollout, revision and role. */
export const RUN_LABELS = {
  rollout: "sluice.dev/rollout",
  revision: "sluice.dev/revision",
  stableRevision: "sluice.dev/stable-revision",
  /** The baseline revision the canary is compared with, on runs of a rollout that runs one. */
  baselineRevision: "sluice.dev/baseline-revision",
  role: "sluice.dev/role",
} as const;

interface ResolvedTemplate {
  /** How messages name it: `analysis template "x"` or `cluster analysis template "x"`. */
  label: string;
  template: AnalysisTemplate | ClusterAnalysisTemplate;
}

function labelOf(name: string, cluster: boolean): string {
  return `${cluster ? "cluster analysis template" : "analysis template"} "${name}"`;
}

/** Flattens the referenced templates and the templates they include, each once, detecting cycles. */
function resolveTemplates(refs: { templateName: string; clusterScope?: boolean }[], lookup: TemplateLookup) {
  const out: ResolvedTemplate[] = [];
  const done = new Set<string>();
  const visit = (name: string, cluster: boolean, stack: { key: string; name: string }[], parent?: string) => {
    const key = `${cluster ? "cluster/" : ""}${name}`;
    const label = labelOf(name, cluster);
    const at = stack.findIndex((s) => s.key === key);
    if (at >= 0) {
      const chain = [...stack.slice(at).map((s) => s.name), name].join(" -> ");
      throw new AnalysisConfigError(`${label} includes itself: ${chain}`, { template: name, field: "spec.templates" });
    }
    if (done.has(key)) return;
    const template = cluster ? lookup.clusterTemplate(name) : lookup.template(name);
    if (!template)
      throw new AnalysisConfigError(
        parent ? `${parent} includes ${label}, which does not exist` : `${label} not found`,
        {
          template: name,
          field: "spec.templates",
        },
      );
    done.add(key);
    out.push({ label, template });
    for (const nested of template.spec.templates)
      visit(nested.templateName, nested.clusterScope, [...stack, { key, name }], label);
  };
  for (const ref of refs) visit(ref.templateName, ref.clusterScope ?? false, []);
  return out;
}

/**
 * The Secrets the templates an analysis names (and the ones they include) read arguments from,
 * so a platform can fetch them before the run is built. Empty when the templates do not resolve:
 * building the run then reports why.
 */
export function referencedSecrets(
  refs: { templateName: string; clusterScope?: boolean }[],
  lookup: TemplateLookup,
): string[] {
  try {
    const names = resolveTemplates(refs, lookup).flatMap(({ template }) =>
      template.spec.args.flatMap((a) => (a.valueFrom?.secretKeyRef ? [a.valueFrom.secretKeyRef.name] : [])),
    );
    return [...new Set(names)];
  } catch {
    return [];
  }
}

/**
 * Whether the templates an analysis names (and the ones they include) judge any metric that is not
 * dry-run: such an analysis spends a share of the rollout's false-alarm budget. A reference that
 * does not resolve counts as judging (a smaller share is the safe side; the run reports the error).
 */
export function judgesAnyMetric(
  refs: { templateName: string; clusterScope?: boolean }[],
  lookup: TemplateLookup,
): boolean {
  try {
    const templates = resolveTemplates(refs, lookup);
    const dry = new Set(templates.flatMap(({ template }) => template.spec.dryRun.map((d) => d.metricName)));
    return templates.some(({ template }) =>
      template.spec.metrics.some((m) => m.judge !== undefined && !dry.has(m.name)),
    );
  } catch {
    return true;
  }
}

function mergeMetrics(templates: ResolvedTemplate[]): { metric: Metric; origin: ResolvedTemplate; index: number }[] {
  const seen = new Map<string, ResolvedTemplate>();
  const out: { metric: Metric; origin: ResolvedTemplate; index: number }[] = [];
  for (const t of templates)
    t.template.spec.metrics.forEach((metric, index) => {
      const first = seen.get(metric.name);
      if (first)
        throw new AnalysisConfigError(
          `metric "${metric.name}" is defined in both ${first.label} and ${t.label}; metric names must be unique in a run`,
          { template: t.template.metadata.name, field: `spec.metrics[${index}].name` },
        );
      seen.set(metric.name, t);
      out.push({ metric, origin: t, index });
    });
  return out;
}

function mergeArgs(templates: ResolvedTemplate[]): Map<string, { arg: Argument; origin: ResolvedTemplate }> {
  const args = new Map<string, { arg: Argument; origin: ResolvedTemplate }>();
  for (const t of templates)
    for (const arg of t.template.spec.args) {
      const prev = args.get(arg.name);
      if (!prev) {
        args.set(arg.name, { arg, origin: t });
        continue;
      }
      if (prev.arg.value !== undefined && arg.value !== undefined && prev.arg.value !== arg.value)
        throw new AnalysisConfigError(
          `argument "${arg.name}" has value "${prev.arg.value}" in ${prev.origin.label} but "${arg.value}" in ${t.label}`,
          { template: t.template.metadata.name, field: "spec.args" },
        );
      if (prev.arg.value === undefined && prev.arg.valueFrom === undefined) args.set(arg.name, { arg, origin: t });
    }
  return args;
}

function rolloutArgValue(arg: AnalysisRunArg, action: StartAnalysisRun, rolloutName: string): string {
  if (arg.value !== undefined) return arg.value;
  const resolved = action.args[arg.name];
  if (resolved !== undefined) return resolved;
  const which = arg.valueFrom?.podTemplateHashValue;
  if (which === "Latest") return action.canaryRevision;
  if (which === "Stable" && action.stableRevision !== undefined) return action.stableRevision;
  const compared = action.baselineRevision ?? action.stableRevision;
  if (which === "Baseline" && compared !== undefined) return compared;
  throw new AnalysisConfigError(
    `rollout "${rolloutName}": argument "${arg.name}" asks for the ${which ?? "unknown"} revision, which does not exist yet`,
    { field: "analysis.args" },
  );
}

function templateArgValue(arg: Argument, origin: ResolvedTemplate, sources: ArgSources): string {
  const where = `${origin.label}: argument "${arg.name}"`;
  const opts = { template: origin.template.metadata.name, field: "spec.args" };
  if (arg.value !== undefined) return arg.value;
  const from = arg.valueFrom;
  if (from?.env !== undefined) {
    const v = sources.readEnv(from.env);
    if (v === undefined)
      throw new AnalysisConfigError(`${where} reads environment variable ${from.env}, which is not set`, opts);
    return v;
  }
  if (from?.file !== undefined) {
    try {
      return sources.readFile(from.file).replace(/\r?\n$/, "");
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new AnalysisConfigError(`${where} reads file ${from.file}, which failed: ${reason}`, { ...opts, cause });
    }
  }
  if (from?.secretKeyRef !== undefined) {
    const { name, key } = from.secretKeyRef;
    const v = sources.readSecret?.(name, key);
    if (v === undefined)
      throw new AnalysisConfigError(
        `${where} reads key "${key}" of Secret "${name}", which ${sources.readSecret ? "is missing" : "only the kubernetes platform can read"}`,
        opts,
      );
    return v;
  }
  throw new AnalysisConfigError(`${where} is required but has no value; pass it in the rollout's analysis args`, opts);
}

/**
 * Builds the AnalysisRun the engine asked for: resolves the templates (and the templates they
 * include), merges their metrics, resolves every argument (rollout args first, then template
 * values, env, file or Secret) and substitutes `{{args.NAME}}` in every string of every metric's
 * provider. Throws {@link AnalysisConfigError} with a one-line message naming template and field.
 * Argument values, including ones read from env or files, are stored in `spec.args`.
 */
export function buildAnalysisRun(
  action: StartAnalysisRun,
  rolloutName: string,
  lookup: TemplateLookup,
  sources: ArgSources,
): AnalysisRun {
  const templates = resolveTemplates(action.analysis.templates, lookup);
  const metrics = mergeMetrics(templates);
  if (metrics.length === 0)
    throw new AnalysisConfigError(
      `${templates.map((t) => t.label).join(", ")} define${templates.length === 1 ? "s" : ""} no metrics`,
      { field: "spec.metrics" },
    );

  const declared = mergeArgs(templates);
  const values: Record<string, string> = {};
  const fromRollout = new Map(action.analysis.args.map((a) => [a.name, a]));
  for (const [name, { arg, origin }] of declared) {
    const given = fromRollout.get(name);
    values[name] = given ? rolloutArgValue(given, action, rolloutName) : templateArgValue(arg, origin, sources);
  }
  // Args no template declares are kept: a typo then shows up as an unknown {{args.X}} reference.
  for (const [name, given] of fromRollout)
    if (!Object.hasOwn(values, name)) values[name] = rolloutArgValue(given, action, rolloutName);
  for (const [name, value] of Object.entries(action.args)) if (!Object.hasOwn(values, name)) values[name] = value;

  const runMetrics = metrics.map(({ metric, origin, index }) => ({
    ...metric,
    provider: substituteArgs(metric.provider, values, `spec.metrics[${index}].provider`, (name, field) => {
      throw new AnalysisConfigError(`${origin.label}: ${field}: {{args.${name}}} names no argument`, {
        template: origin.template.metadata.name,
        field,
      });
    }),
  }));

  const names = new Set(runMetrics.map((m) => m.name));
  const dryRun: { metricName: string }[] = [];
  const measurementRetention: { metricName: string; limit: number }[] = [];
  for (const t of templates) {
    const check = (metricName: string, field: string) => {
      if (!names.has(metricName))
        throw new AnalysisConfigError(`${t.label}: ${field} names metric "${metricName}", which no template defines`, {
          template: t.template.metadata.name,
          field,
        });
    };
    t.template.spec.dryRun.forEach((d, i) => {
      check(d.metricName, `spec.dryRun[${i}].metricName`);
      if (!dryRun.some((x) => x.metricName === d.metricName)) dryRun.push({ metricName: d.metricName });
    });
    t.template.spec.measurementRetention.forEach((r, i) => {
      check(r.metricName, `spec.measurementRetention[${i}].metricName`);
      if (!measurementRetention.some((x) => x.metricName === r.metricName)) measurementRetention.push({ ...r });
    });
  }

  // Templates merged into one run share one false-alarm budget: the strictest one set.
  const alphas = templates.flatMap((t) => (t.template.spec.alpha === undefined ? [] : [t.template.spec.alpha]));
  return {
    apiVersion: API_VERSION,
    kind: "AnalysisRun",
    metadata: {
      name: action.name,
      labels: {
        [RUN_LABELS.rollout]: rolloutName,
        [RUN_LABELS.revision]: action.canaryRevision,
        [RUN_LABELS.role]: action.role,
        ...(action.stableRevision === undefined ? {} : { [RUN_LABELS.stableRevision]: action.stableRevision }),
        ...(action.baselineRevision === undefined ? {} : { [RUN_LABELS.baselineRevision]: action.baselineRevision }),
      },
    },
    spec: {
      metrics: runMetrics,
      args: Object.entries(values).map(([name, value]) => ({ name, value })),
      dryRun,
      measurementRetention,
      ...(alphas.length > 0 ? { alpha: Math.min(...alphas) } : {}),
      terminate: false,
    },
    status: { phase: "Pending", metricResults: [] },
  };
}
