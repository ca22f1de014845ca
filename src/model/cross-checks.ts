import type { Resource } from "../controller/control-plane.js";
import type { AnalysisRunSpec, AnalysisTemplateSpec, Argument } from "./analysis.js";
import type { FieldIssue } from "./issues.js";
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
      ];
    case "AnalysisRun":
      return metricChecks(resource.spec, false);
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
