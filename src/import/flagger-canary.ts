import { durationMs } from "../model/duration.js";
import { API_VERSION } from "../model/meta.js";
import { stringMatch } from "./argo-steps.js";
import type { ImportContext } from "./context.js";
import { UntranslatableError } from "./errors.js";
import {
  bool,
  child,
  duration,
  formatDurationMs,
  int,
  isObj,
  known,
  list,
  mapping,
  type Obj,
  ordered,
  put,
  ROLLOUT_SPEC_ORDER,
  str,
} from "./fields.js";
import { flaggerAlerts } from "./flagger-alerts.js";
import { type CanaryFacts, flaggerMetrics, type MeasurePlan, TemplateArgs } from "./flagger-metrics.js";
import { flaggerWebhooks } from "./flagger-webhooks.js";
import { placeholderTemplate, translateMeta } from "./meta.js";
import type { Notes } from "./notes.js";
import { workloadFromDeployment } from "./workload.js";

/** Name of the header route an A/B Canary's `match` becomes. */
export const AB_ROUTE = "ab-test";

/** Flagger's A/B `match` as Sluice route matches: one header, `uri` and `method` per entry. */
function abMatches(raw: unknown[], path: string, notes: Notes): Obj[] {
  const out: Obj[] = [];
  for (const [i, m] of raw.entries()) {
    const at = child(path, i);
    if (!isObj(m)) {
      notes.warn(at, "expected a mapping; dropped");
      continue;
    }
    known(m, at, notes, ["headers", "uri", "method"]);
    const match: Obj = {};
    const headers = mapping(m.headers, child(at, "headers"), notes) ?? {};
    for (const [header, value] of Object.entries(headers)) {
      const hAt = child(child(at, "headers"), header);
      if (match.headerName !== undefined) {
        notes.warn(hAt, "Sluice matches one header per match entry; dropped");
        continue;
      }
      const v = isObj(value) && typeof value.suffix === "string" ? suffixAsRegex(value, hAt, notes) : value;
      const sm = stringMatch(v, hAt, notes);
      if (sm) Object.assign(match, { headerName: header, headerValue: sm });
    }
    const uri =
      isObj(m.uri) && typeof m.uri.suffix === "string" ? suffixAsRegex(m.uri, child(at, "uri"), notes) : m.uri;
    put(match, "path", stringMatch(uri, child(at, "uri"), notes));
    put(match, "method", stringMatch(m.method, child(at, "method"), notes));
    if (Object.keys(match).length > 0) out.push(match);
  }
  return out;
}

function suffixAsRegex(m: Obj, path: string, notes: Notes): Obj {
  known(m, path, notes, ["suffix"]);
  return { regex: `.*${String(m.suffix).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}` };
}

/** Weights for `stepWeight` up to `maxWeight` (Flagger caps the last step at maxWeight), or `stepWeights`. */
export function canaryWeights(a: Obj, path: string, notes: Notes): number[] {
  if (a.stepWeights !== undefined)
    return list(a.stepWeights, child(path, "stepWeights"), notes)
      .map((w, i) => int(w, child(child(path, "stepWeights"), i), notes))
      .filter((w): w is number => w !== undefined);
  const step = int(a.stepWeight, child(path, "stepWeight"), notes);
  const max = Math.min(100, int(a.maxWeight, child(path, "maxWeight"), notes) ?? 100);
  if (step === undefined || step === 0) return [];
  const weights: number[] = [];
  for (let w = step; w < max + step; w += step) weights.push(Math.min(w, max));
  return weights;
}

interface Workload {
  spec: Obj;
  facts: CanaryFacts;
}

function workload(spec: Obj, name: string, namespace: string | undefined, ctx: ImportContext): Workload {
  const notes = ctx.notes;
  const ref = mapping(spec.targetRef, "spec.targetRef", notes);
  if (ref === undefined || typeof ref.name !== "string")
    throw new UntranslatableError("spec.targetRef.name is missing", "spec.targetRef");
  known(ref, "spec.targetRef", notes, ["apiVersion", "kind", "name"]);
  const target = ref.name;
  const svc = mapping(spec.service, "spec.service", notes);
  const ingressRef = mapping(spec.ingressRef, "spec.ingressRef", notes);
  const facts: CanaryFacts = {
    name,
    target,
    service: svc && typeof svc.name === "string" ? svc.name : target,
    ...(namespace ? { namespace } : {}),
    ...(ingressRef && typeof ingressRef.name === "string" ? { ingress: ingressRef.name } : {}),
  };
  const found = ref.kind === "Deployment" ? ctx.find("Deployment", target, namespace) : undefined;
  const w = found && workloadFromDeployment(found.value, found.notes);
  if (w === undefined) {
    notes.warn(
      "spec.targetRef",
      `${ref.kind ?? "Deployment"} ${target} is not in the input; paste its pod template into spec.template (a placeholder was written)`,
    );
    return { spec: { template: placeholderTemplate(target) }, facts };
  }
  const out: Obj = { ...w.spec, template: w.template };
  put(out, "selector", w.selector);
  return { spec: out, facts };
}

/**
 * Traffic routing Sluice can take over from Flagger: an NGINX ingress named by `ingressRef`. The
 * Services and routes Flagger generates from `service` are warned about.
 */
function routing(spec: Obj, notes: Notes): Obj | undefined {
  if (spec.service !== undefined)
    notes.warn(
      "spec.service",
      "Sluice does not generate Services or routes; create them and set spec.strategy.canary.stableService, canaryService and trafficRouting; dropped",
    );
  const provider = typeof spec.provider === "string" ? spec.provider : undefined;
  const ingress = isObj(spec.ingressRef) && typeof spec.ingressRef.name === "string" ? spec.ingressRef.name : undefined;
  if (provider === "nginx" && ingress !== undefined) return { nginx: { stableIngress: ingress } };
  if (provider !== undefined)
    notes.warn(
      "spec.provider",
      `Sluice does not set up ${provider} routing by itself; set spec.strategy.canary.trafficRouting by hand; dropped`,
    );
  if (ingress !== undefined) notes.warn("spec.ingressRef", "used with the nginx provider only; dropped");
  return undefined;
}

/** How a Canary's analysis runs, read from `spec.analysis`. */
interface AnalysisShape {
  path: string;
  raw: Obj;
  mode: "canary" | "ab" | "blueGreen";
  interval: string | number;
  threshold: number;
  iterations: number;
  match: unknown[];
  /** The Canary's webhooks as Sluice hooks (docs/hooks.md). */
  hooks: Obj[];
  /** A hey load-test webhook as a load section, for the analysis steps (docs/load.md). */
  load?: { load: Obj; at: string } | undefined;
}

function readAnalysis(spec: Obj, key: string, notes: Notes): AnalysisShape {
  const path = child("spec", key);
  const a = mapping(spec[key], path, notes) ?? {};
  known(a, path, notes, [
    "interval",
    "threshold",
    "maxWeight",
    "stepWeight",
    "stepWeights",
    "iterations",
    "match",
    "metrics",
    "webhooks",
    "sessionAffinity",
    "alerts",
  ]);
  const iterations = int(a.iterations, child(path, "iterations"), notes) ?? 0;
  const match = list(a.match, child(path, "match"), notes);
  const mode = iterations > 0 ? (match.length > 0 ? "ab" : "blueGreen") : "canary";
  if (mode !== "canary")
    for (const k of ["stepWeight", "stepWeights", "maxWeight"])
      if (a[k] !== undefined) notes.warn(child(path, k), "not used with iterations; dropped");
  if (mode !== "ab" && match.length > 0) notes.warn(child(path, "match"), "used with iterations only; dropped");
  let load: AnalysisShape["load"];
  const threshold = Math.max(1, int(a.threshold, child(path, "threshold"), notes) ?? 1);
  const { hooks } = flaggerWebhooks(
    a.webhooks,
    child(path, "webhooks"),
    notes,
    (l, at) => {
      if (load) notes.warn(at, "a second load-test webhook; the first one's load is kept; dropped");
      else load = { load: l as Obj, at };
    },
    threshold,
  );
  return {
    path,
    raw: a,
    mode,
    interval: duration(a.interval, child(path, "interval"), notes) ?? "1m",
    threshold,
    iterations,
    match,
    hooks,
    load,
  };
}

/** Per analysis step: a weight step ends at the first pass; iterations take that many measurements. */
function measurePlan(shape: AnalysisShape): MeasurePlan {
  const failureLimit = shape.threshold - 1;
  return shape.mode === "canary"
    ? { count: shape.threshold, failureLimit, untilFirstSuccess: true }
    : { count: shape.iterations, failureLimit, untilFirstSuccess: false };
}

function blueGreenStrategy(shape: AnalysisShape, analysis: Obj | undefined, traffic: Obj | undefined, notes: Notes) {
  if (traffic) notes.warn("spec.ingressRef", "a blue-green rollout switches Services, not the ingress; dropped");
  if (shape.load) notes.warn(shape.load.at, "a blue-green rollout has no analysis steps to carry load; dropped");
  // Hook gates and checks run on canary rollouts; a blue-green one keeps only its informational hooks.
  const held = shape.hooks.filter((h) => h.type !== "event" && h.type !== "post-rollout");
  for (const h of held)
    notes.unsupported(
      child(shape.path, "webhooks"),
      `${h.type} hook "${h.name}": Sluice runs gates and checks on canary rollouts, not yet on blue-green ones`,
    );
  shape.hooks = shape.hooks.filter((h) => !held.includes(h));
  const confirm = held.some((h) => h.type === "confirm-promotion");
  const bg: Obj = { autoPromotionEnabled: !confirm };
  if (analysis) bg.prePromotionAnalysis = analysis;
  else if (!confirm) bg.autoPromotionSeconds = Math.round((durationMs(shape.interval) * shape.iterations) / 1000);
  return { blueGreen: bg };
}

function canaryStrategy(shape: AnalysisShape, analysis: Obj | undefined, traffic: Obj | undefined, notes: Notes) {
  const { path, raw } = shape;
  const steps: Obj[] = [];
  if (shape.load && !analysis) notes.warn(shape.load.at, "no metrics, so no analysis steps to carry load; dropped");
  if (shape.load && analysis) analysis = { ...analysis, load: shape.load.load };
  if (shape.mode === "ab") {
    // Flagger runs the canary at full size and sends it only the matching requests.
    steps.push({ setCanaryScale: { weight: 100 } });
    steps.push({ setHeaderRoute: { name: AB_ROUTE, match: abMatches(shape.match, child(path, "match"), notes) } });
    const all = formatDurationMs(durationMs(shape.interval) * shape.iterations);
    steps.push(analysis ? { analysis } : { pause: { duration: all } });
  } else {
    const weights = canaryWeights(raw, path, notes);
    if (weights.length === 0)
      notes.warn(path, "sets no stepWeight, stepWeights or iterations; the rollout promotes once the canary is ready");
    for (const w of weights)
      steps.push({ setWeight: w }, analysis ? { analysis } : { pause: { duration: shape.interval } });
  }
  const canary: Obj = { steps };
  const at = child(path, "sessionAffinity");
  const affinity = mapping(raw.sessionAffinity, at, notes);
  if (affinity) {
    known(affinity, at, notes, ["cookieName", "maxAge"]);
    const sticky: Obj = {};
    put(sticky, "cookieName", str(affinity.cookieName, child(at, "cookieName"), notes));
    put(sticky, "maxAgeSeconds", int(affinity.maxAge, child(at, "maxAge"), notes));
    canary.stickySession = sticky;
  }
  if (traffic) {
    if (shape.mode === "ab") traffic.managedRoutes = [{ name: AB_ROUTE }];
    canary.trafficRouting = traffic;
  }
  return { canary };
}

/** Flagger's scaling and skipping switches, which Sluice does not have: one warning each. */
function warnAboutFlaggerOnly(spec: Obj, notes: Notes): void {
  if (spec.autoscalerRef !== undefined)
    notes.warn(
      "spec.autoscalerRef",
      "point the HorizontalPodAutoscaler's scaleTargetRef at the Sluice Rollout (apiVersion sluice.dev/v1alpha1, kind Rollout); dropped",
    );
  if (bool(spec.skipAnalysis, "spec.skipAnalysis", notes))
    notes.warn("spec.skipAnalysis", "Sluice cannot skip analysis; the analysis steps were kept");
}

/**
 * A Flagger Canary as a Sluice Rollout (its Deployment's pod template inlined when the Deployment
 * is in the input) plus an AnalysisTemplate `<name>-analysis` with its metrics. Weight steps
 * become setWeight + analysis steps; `iterations` with `match` an A/B header route; `iterations`
 * alone a blue-green rollout with pre-promotion analysis.
 */
export function translateFlaggerCanary(raw: Obj, ctx: ImportContext): Obj[] {
  const notes = ctx.notes;
  known(raw, "", notes, ["apiVersion", "kind", "metadata", "spec"], ["status"]);
  const metadata = translateMeta(raw, notes);
  const name = metadata.name as string;
  const namespace = metadata.namespace as string | undefined;
  const spec = mapping(raw.spec, "spec", notes);
  if (spec === undefined) throw new UntranslatableError("spec is missing", "spec");
  // Flagger still reads the field's old name.
  const aKey = spec.analysis === undefined && spec.canaryAnalysis !== undefined ? "canaryAnalysis" : "analysis";
  known(spec, "spec", notes, [
    "targetRef",
    "progressDeadlineSeconds",
    aKey,
    "service",
    "provider",
    "ingressRef",
    "skipAnalysis",
    "suspend",
    "autoscalerRef",
  ]);
  const { spec: out, facts } = workload(spec, name, namespace, ctx);
  const traffic = routing(spec, notes);
  warnAboutFlaggerOnly(spec, notes);
  put(out, "progressDeadlineSeconds", int(spec.progressDeadlineSeconds, "spec.progressDeadlineSeconds", notes));
  if (bool(spec.suspend, "spec.suspend", notes)) out.paused = true;

  const shape = readAnalysis(spec, aKey, notes);
  const args = new TemplateArgs();
  const metricsPath = child(shape.path, "metrics");
  const rawMetrics = list(shape.raw.metrics, metricsPath, notes);
  const metrics = flaggerMetrics(rawMetrics, metricsPath, facts, shape.interval, measurePlan(shape), args, ctx);
  const templateName = `${name}-analysis`;
  const analysis = metrics.length > 0 ? { templates: [{ templateName }] } : undefined;
  out.strategy =
    shape.mode === "blueGreen"
      ? blueGreenStrategy(shape, analysis, traffic, notes)
      : canaryStrategy(shape, analysis, traffic, notes);

  if (shape.hooks.length > 0) out.hooks = shape.hooks;
  const notifications = flaggerAlerts(shape.raw.alerts, child(shape.path, "alerts"), namespace, ctx);
  if (notifications.length > 0) out.notifications = notifications;

  const rollout = { apiVersion: API_VERSION, kind: "Rollout", metadata, spec: ordered(out, ROLLOUT_SPEC_ORDER) };
  if (metrics.length === 0) return [rollout];
  const tmeta: Obj = { name: templateName };
  put(tmeta, "namespace", namespace);
  const tspec: Obj = args.list.length > 0 ? { args: args.list, metrics } : { metrics };
  return [rollout, { apiVersion: API_VERSION, kind: "AnalysisTemplate", metadata: tmeta, spec: tspec }];
}
