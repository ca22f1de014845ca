import type {
  AnalysisRunSpec,
  AnalysisTemplate,
  AnalysisTemplateSpec,
  Argument,
  ClusterAnalysisTemplate,
} from "./analysis.js";
import type { PathSegment } from "./errors.js";
import type { FieldIssue } from "./issues.js";
import type { Resource } from "./resource.js";
import type { Rollout } from "./rollout.js";

/**
 * Rules that span several fields, which the schemas cannot express one field at a time. Runs on a
 * resource that already passed its schema.
 */
export function crossChecks(resource: Resource): FieldIssue[] {
  switch (resource.kind) {
    case "Rollout":
      return rolloutChecks(resource);
    case "AnalysisTemplate":
    case "ClusterAnalysisTemplate":
      return [
        ...metricChecks(resource.spec, resource.spec.templates.length > 0),
        ...argumentChecks(resource.spec.args),
        ...includeChecks(resource),
        ...argReferenceChecks(resource.spec),
      ];
    case "AnalysisRun":
      return metricChecks(resource.spec, false);
    default:
      // Other kinds have no rules here that span several fields.
      return [];
  }
}

function duplicates<T>(
  items: readonly T[],
  name: (t: T) => string,
  path: (i: number) => FieldIssue["path"],
  what: string,
) {
  const first = new Map<string, number>();
  const out: FieldIssue[] = [];
  items.forEach((item, i) => {
    const n = name(item);
    const at = first.get(n);
    if (at === undefined) first.set(n, i);
    else out.push({ path: path(i), message: `duplicate ${what} "${n}" (first at index ${at})` });
  });
  return out;
}

function metricChecks(spec: AnalysisTemplateSpec | AnalysisRunSpec, hasIncludes: boolean): FieldIssue[] {
  const out = duplicates(
    spec.metrics,
    (m) => m.name,
    (i) => ["spec", "metrics", i, "name"],
    "metric name",
  );
  // Metrics of included templates are merged later, so a name may be defined there.
  if (hasIncludes) return out;
  const names = new Set(spec.metrics.map((m) => m.name));
  spec.dryRun.forEach((d, i) => {
    if (!names.has(d.metricName))
      out.push({ path: ["spec", "dryRun", i, "metricName"], message: `no metric named "${d.metricName}"` });
  });
  spec.measurementRetention.forEach((r, i) => {
    if (!names.has(r.metricName))
      out.push({
        path: ["spec", "measurementRetention", i, "metricName"],
        message: `no metric named "${r.metricName}"`,
      });
  });
  return out;
}

function argumentChecks(args: readonly Argument[]): FieldIssue[] {
  const out = duplicates(
    args,
    (a) => a.name,
    (i) => ["spec", "args", i, "name"],
    "argument",
  );
  args.forEach((a, i) => {
    if (a.value !== undefined && a.valueFrom !== undefined)
      out.push({ path: ["spec", "args", i], message: "set at most one of value or valueFrom" });
    if (a.valueFrom !== undefined) {
      const sources = Object.values(a.valueFrom).filter((v) => v !== undefined).length;
      if (sources !== 1)
        out.push({ path: ["spec", "args", i, "valueFrom"], message: "set exactly one of env, file or secretKeyRef" });
    }
  });
  return out;
}

function rolloutChecks(rollout: Rollout): FieldIssue[] {
  // Names label the notification metric and the NotificationFailed event, so they must tell entries apart.
  const out = duplicates(
    rollout.spec.notifications ?? [],
    (n) => n.name,
    (i) => ["spec", "notifications", i, "name"],
    "notification name",
  );
  const canary = rollout.spec.strategy.canary;
  if (canary === undefined) return out;
  const base = ["spec", "strategy", "canary"];
  const managed = canary.trafficRouting?.managedRoutes;
  if (managed)
    out.push(
      ...duplicates(
        managed,
        (r) => r.name,
        (i) => [...base, "trafficRouting", "managedRoutes", i, "name"],
        "route",
      ),
    );
  const managedNames = managed ? new Set(managed.map((r) => r.name)) : undefined;
  // A name may repeat across setHeaderRoute steps (a later step without `match` removes the route, as in
  // Argo), but one name cannot be both a header route and a mirror route.
  const routeKind = new Map<string, { kind: string; step: number }>();
  canary.steps.forEach((step, i) => {
    const route =
      "setHeaderRoute" in step
        ? { kind: "setHeaderRoute", name: step.setHeaderRoute.name }
        : "setMirrorRoute" in step
          ? { kind: "setMirrorRoute", name: step.setMirrorRoute.name }
          : undefined;
    if (route === undefined) return;
    const path = [...base, "steps", i, route.kind, "name"];
    const seen = routeKind.get(route.name);
    if (seen === undefined) routeKind.set(route.name, { kind: route.kind, step: i });
    else if (seen.kind !== route.kind)
      out.push({ path, message: `route "${route.name}" is already a ${seen.kind} route at steps[${seen.step}]` });
    if (managedNames && !managedNames.has(route.name))
      out.push({ path, message: `route "${route.name}" is not listed in trafficRouting.managedRoutes` });
  });
  const starting = canary.analysis?.startingStep;
  if (starting !== undefined && starting > canary.steps.length)
    out.push({
      path: [...base, "analysis", "startingStep"],
      message: `must be at most the number of steps (${canary.steps.length})`,
    });
  return out;
}

/** A template that lists itself in `spec.templates` can never be resolved (the run builder reports the cycle). */
function includeChecks(template: AnalysisTemplate | ClusterAnalysisTemplate): FieldIssue[] {
  const cluster = template.kind === "ClusterAnalysisTemplate";
  const out: FieldIssue[] = [];
  template.spec.templates.forEach((t, i) => {
    if (t.templateName === template.metadata.name && t.clusterScope === cluster)
      out.push({
        path: ["spec", "templates", i, "templateName"],
        message: "the template includes itself; remove this entry",
      });
  });
  return out;
}

const ARG_REF = /\{\{\s*args\.([\w-]+)\s*\}\}/g;

/**
 * `{{args.X}}` in a provider field that no argument declares. Only for a template that includes no
 * others: an included template may declare the argument.
 */
function argReferenceChecks(spec: AnalysisTemplateSpec): FieldIssue[] {
  if (spec.templates.length > 0) return [];
  const declared = new Set(spec.args.map((a) => a.name));
  const out: FieldIssue[] = [];
  const visit = (value: unknown, path: PathSegment[]): void => {
    if (typeof value === "string") {
      for (const m of value.matchAll(ARG_REF)) {
        const name = m[1] as string;
        if (declared.has(name)) continue;
        out.push({ path, message: `{{args.${name}}} names no argument of this template; declare it in spec.args` });
        return;
      }
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => {
        visit(v, [...path, i]);
      });
    } else if (typeof value === "object" && value !== null)
      for (const [k, v] of Object.entries(value)) visit(v, [...path, k]);
  };
  spec.metrics.forEach((m, i) => {
    visit(m.provider, ["spec", "metrics", i, "provider"]);
  });
  return out;
}
