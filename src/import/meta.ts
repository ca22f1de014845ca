import { UntranslatableError } from "./errors.js";
import { child, isObj, known, mapping, type Obj, put, str, stringMap } from "./fields.js";
import type { Notes } from "./notes.js";

/** Written by kubectl and the API server; meaningless in a manifest to apply again. */
const SERVER_FIELDS = ["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink"];
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/** The name and namespace of an input document, for references between documents. */
export interface DocName {
  name: string;
  namespace?: string;
}

/** Reads `metadata.name` and `metadata.namespace`; throws {@link UntranslatableError} without a name. */
export function docName(raw: Obj): DocName {
  const meta = isObj(raw.metadata) ? raw.metadata : {};
  if (typeof meta.name !== "string" || meta.name === "")
    throw new UntranslatableError("metadata.name is missing", "metadata.name");
  return typeof meta.namespace === "string" ? { name: meta.name, namespace: meta.namespace } : { name: meta.name };
}

/** Object metadata: name, namespace, labels and annotations are kept; server-written fields are dropped silently. */
export function translateMeta(raw: Obj, notes: Notes): Obj {
  const meta = mapping(raw.metadata, "metadata", notes) ?? {};
  known(meta, "metadata", notes, ["name", "namespace", "labels", "annotations"], SERVER_FIELDS);
  const { name, namespace } = docName(raw);
  const out: Obj = { name };
  put(out, "namespace", namespace);
  put(out, "labels", stringMap(meta.labels, "metadata.labels", notes));
  const annotations = stringMap(meta.annotations, "metadata.annotations", notes);
  if (annotations) delete annotations[LAST_APPLIED];
  if (annotations && Object.keys(annotations).length > 0) out.annotations = annotations;
  return out;
}

/** Whether two namespaces can name the same place: equal, or one of them unset (the current namespace). */
export function sameNamespace(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

/** The image a placeholder pod template carries, so the gap is obvious in the output. */
export const PLACEHOLDER_IMAGE = "REPLACE-ME";

/** A pod template with one container to replace, for a workload whose template is not in the input. */
export function placeholderTemplate(container: string): Obj {
  return { spec: { containers: [{ name: container, image: PLACEHOLDER_IMAGE }] } };
}

/**
 * A Kubernetes pod template (`metadata` + `spec`) as a Sluice workload template. The pod spec is
 * passed on as it is; Sluice checks its containers. Returns undefined when there is no usable spec.
 */
export function podTemplate(raw: unknown, path: string, notes: Notes): Obj | undefined {
  const t = mapping(raw, path, notes);
  if (t === undefined) return undefined;
  known(t, path, notes, ["metadata", "spec"]);
  const out: Obj = {};
  const meta = mapping(t.metadata, child(path, "metadata"), notes);
  if (meta) {
    const at = child(path, "metadata");
    // `creationTimestamp: null` is what kubectl writes into every pod template.
    known(meta, at, notes, ["labels", "annotations"], ["creationTimestamp", "name"]);
    const m: Obj = {};
    put(m, "labels", stringMap(meta.labels, child(at, "labels"), notes));
    put(m, "annotations", stringMap(meta.annotations, child(at, "annotations"), notes));
    if (Object.keys(m).length > 0) out.metadata = m;
  }
  const spec = mapping(t.spec, child(path, "spec"), notes);
  if (spec === undefined || !Array.isArray(spec.containers) || spec.containers.length === 0) return undefined;
  out.spec = spec;
  return out;
}

/** `selector.matchLabels`; `matchExpressions` has no Sluice equivalent. */
export function selector(raw: unknown, path: string, notes: Notes): Obj | undefined {
  const sel = mapping(raw, path, notes);
  if (sel === undefined) return undefined;
  known(sel, path, notes, ["matchLabels"]);
  const labels = stringMap(sel.matchLabels, child(path, "matchLabels"), notes);
  return labels ? { matchLabels: labels } : undefined;
}

/** A string field that must be there for the document to mean anything. */
export function requiredStr(v: unknown, path: string, notes: Notes): string {
  const s = str(v, path, notes);
  if (s === undefined || s === "") throw new UntranslatableError(`${path} is missing`, path);
  return s;
}
