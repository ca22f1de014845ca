import { child, int, known, mapping, type Obj, put } from "./fields.js";
import { podTemplate, selector } from "./meta.js";
import type { Notes } from "./notes.js";

/** What a Rollout takes from a Kubernetes Deployment it replaces. */
export interface DeploymentWorkload {
  template: Obj;
  selector?: Obj;
  /** Replicas, minReadySeconds, revisionHistoryLimit and progressDeadlineSeconds, when the Deployment sets them. */
  spec: Obj;
}

const COPIED = ["replicas", "minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds"];

/**
 * The pod template, selector and replica settings of an `apps/v1` Deployment. Its warnings go to
 * the Deployment's own notes. Undefined when it has no usable pod template.
 */
export function workloadFromDeployment(raw: Obj, notes: Notes): DeploymentWorkload | undefined {
  known(raw, "", notes, ["apiVersion", "kind", "metadata", "spec"], ["status"]);
  const spec = mapping(raw.spec, "spec", notes);
  if (spec === undefined) return undefined;
  known(spec, "spec", notes, ["template", "selector", "strategy", ...COPIED]);
  if (spec.strategy !== undefined) notes.warn("spec.strategy", "replaced by the Rollout's strategy; dropped");
  const template = podTemplate(spec.template, "spec.template", notes);
  if (template === undefined) return undefined;
  const out: DeploymentWorkload = { template, spec: {} };
  const sel = selector(spec.selector, "spec.selector", notes);
  if (sel) out.selector = sel;
  for (const k of COPIED) put(out.spec, k, int(spec[k], child("spec", k), notes));
  return out;
}
