import { API_VERSION } from "../model/meta.js";
import { canaryStep, rolloutAnalysis } from "./argo-steps.js";
import { trafficRouting } from "./argo-traffic.js";
import type { ImportContext } from "./context.js";
import { UntranslatableError } from "./errors.js";
import {
  bool,
  child,
  int,
  intOrPercent,
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
import { placeholderTemplate, podTemplate, selector, translateMeta } from "./meta.js";
import type { Notes } from "./notes.js";
import { workloadFromDeployment } from "./workload.js";

const COPIED_SPEC_INTS = ["revisionHistoryLimit", "minReadySeconds", "progressDeadlineSeconds"] as const;

function canary(raw: Obj, path: string, notes: Notes): Obj {
  known(raw, path, notes, [
    "steps",
    "analysis",
    "maxSurge",
    "maxUnavailable",
    "scaleDownDelaySeconds",
    "abortScaleDownDelaySeconds",
    "stableService",
    "canaryService",
    "trafficRouting",
  ]);
  const out: Obj = {};
  const steps: Obj[] = [];
  // Argo counts startingStep over its own steps; dropping one shifts the later ones.
  const newIndex: number[] = [];
  list(raw.steps, child(path, "steps"), notes).forEach((s, i) => {
    newIndex[i] = steps.length;
    const step = canaryStep(s, child(child(path, "steps"), i), notes);
    if (step) steps.push(step);
  });
  if (steps.length > 0) out.steps = steps;
  const aPath = child(path, "analysis");
  const analysis = rolloutAnalysis(raw.analysis, aPath, notes, ["startingStep"]);
  if (analysis && isObj(raw.analysis)) {
    const start = int(raw.analysis.startingStep, child(aPath, "startingStep"), notes);
    if (start !== undefined) analysis.startingStep = newIndex[start] ?? steps.length;
    out.analysis = analysis;
  }
  put(out, "maxSurge", intOrPercent(raw.maxSurge, child(path, "maxSurge"), notes));
  put(out, "maxUnavailable", intOrPercent(raw.maxUnavailable, child(path, "maxUnavailable"), notes));
  for (const k of ["scaleDownDelaySeconds", "abortScaleDownDelaySeconds"])
    put(out, k, int(raw[k], child(path, k), notes));
  for (const k of ["stableService", "canaryService"]) put(out, k, str(raw[k], child(path, k), notes));
  put(out, "trafficRouting", trafficRouting(raw.trafficRouting, child(path, "trafficRouting"), notes));
  return out;
}

function blueGreen(raw: Obj, path: string, notes: Notes): Obj {
  known(raw, path, notes, [
    "activeService",
    "previewService",
    "previewReplicaCount",
    "autoPromotionEnabled",
    "autoPromotionSeconds",
    "scaleDownDelaySeconds",
    "abortScaleDownDelaySeconds",
    "prePromotionAnalysis",
    "postPromotionAnalysis",
  ]);
  const out: Obj = {};
  for (const k of ["activeService", "previewService"]) put(out, k, str(raw[k], child(path, k), notes));
  for (const k of [
    "previewReplicaCount",
    "autoPromotionSeconds",
    "scaleDownDelaySeconds",
    "abortScaleDownDelaySeconds",
  ])
    put(out, k, int(raw[k], child(path, k), notes));
  put(out, "autoPromotionEnabled", bool(raw.autoPromotionEnabled, child(path, "autoPromotionEnabled"), notes));
  for (const k of ["prePromotionAnalysis", "postPromotionAnalysis"])
    put(out, k, rolloutAnalysis(raw[k], child(path, k), notes));
  return out;
}

function strategy(raw: unknown, notes: Notes): Obj {
  const s = mapping(raw, "spec.strategy", notes);
  if (s === undefined) throw new UntranslatableError("spec.strategy is missing", "spec.strategy");
  known(s, "spec.strategy", notes, ["canary", "blueGreen"]);
  const c = mapping(s.canary, "spec.strategy.canary", notes);
  if (c) return { canary: canary(c, "spec.strategy.canary", notes) };
  const bg = mapping(s.blueGreen, "spec.strategy.blueGreen", notes);
  if (bg) return { blueGreen: blueGreen(bg, "spec.strategy.blueGreen", notes) };
  throw new UntranslatableError("spec.strategy has neither canary nor blueGreen", "spec.strategy");
}

/** The template from `spec.workloadRef`: the Deployment when it is in the input, else a placeholder. */
function referencedTemplate(spec: Obj, meta: Obj, ctx: ImportContext): { template: Obj; selector?: Obj } {
  const notes = ctx.notes;
  const ref = mapping(spec.workloadRef, "spec.workloadRef", notes);
  const name = ref && typeof ref.name === "string" ? ref.name : undefined;
  if (ref === undefined || name === undefined) {
    notes.warn("spec.template", `missing; paste the pod template into spec.template (a placeholder was written)`);
    return { template: placeholderTemplate("app") };
  }
  // scaleDown tells Argo what to do with the Deployment; after import it is no longer in charge.
  known(ref, "spec.workloadRef", notes, ["apiVersion", "kind", "name"], ["scaleDown"]);
  const ns = typeof meta.namespace === "string" ? meta.namespace : undefined;
  const found = ref.kind === "Deployment" ? ctx.find("Deployment", name, ns) : undefined;
  const w = found && workloadFromDeployment(found.value, found.notes);
  if (w === undefined) {
    notes.warn(
      "spec.workloadRef",
      `${ref.kind ?? "workload"} ${name} is not in the input; paste its pod template into spec.template (a placeholder was written)`,
    );
    return { template: placeholderTemplate(name) };
  }
  return w;
}

/** An Argo Rollout as a Sluice Rollout: the same field names, minus what Sluice has no place for. */
export function translateArgoRollout(raw: Obj, ctx: ImportContext): Obj[] {
  const notes = ctx.notes;
  known(raw, "", notes, ["apiVersion", "kind", "metadata", "spec"], ["status"]);
  const metadata = translateMeta(raw, notes);
  const spec = mapping(raw.spec, "spec", notes);
  if (spec === undefined) throw new UntranslatableError("spec is missing", "spec");
  known(spec, "spec", notes, [
    "replicas",
    "selector",
    "template",
    "workloadRef",
    "strategy",
    ...COPIED_SPEC_INTS,
    "progressDeadlineAbort",
    "rollbackWindow",
    "paused",
  ]);
  const out: Obj = {};
  put(out, "replicas", int(spec.replicas, "spec.replicas", notes));
  let template = spec.template === undefined ? undefined : podTemplate(spec.template, "spec.template", notes);
  let sel = selector(spec.selector, "spec.selector", notes);
  if (spec.template !== undefined && template === undefined) {
    notes.warn("spec.template.spec", "no containers; a placeholder was written, paste the pod spec");
    template = placeholderTemplate("app");
  }
  if (template === undefined) {
    const ref = referencedTemplate(spec, metadata, ctx);
    template = ref.template;
    sel ??= ref.selector;
  }
  put(out, "selector", sel);
  out.template = template;
  out.strategy = strategy(spec.strategy, notes);
  for (const k of COPIED_SPEC_INTS) put(out, k, int(spec[k], child("spec", k), notes));
  put(out, "progressDeadlineAbort", bool(spec.progressDeadlineAbort, "spec.progressDeadlineAbort", notes));
  const window = mapping(spec.rollbackWindow, "spec.rollbackWindow", notes);
  if (window) {
    known(window, "spec.rollbackWindow", notes, ["revisions"]);
    const revisions = int(window.revisions, "spec.rollbackWindow.revisions", notes);
    if (revisions !== undefined) out.rollbackWindow = { revisions };
  }
  put(out, "paused", bool(spec.paused, "spec.paused", notes));
  return [{ apiVersion: API_VERSION, kind: "Rollout", metadata, spec: ordered(out, ROLLOUT_SPEC_ORDER) }];
}
