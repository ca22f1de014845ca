import { stringify } from "yaml";
import { checkTemplate } from "../analysis/template-checks.js";
import { ValidationError } from "../model/errors.js";
import { type ExtraCheck, parseResource } from "../model/load.js";
import { API_VERSION } from "../model/meta.js";
import { translateArgoAnalysisTemplate } from "./argo-analysis.js";
import { translateArgoRollout } from "./argo-rollout.js";
import type { ImportContext, ReferencedKind } from "./context.js";
import { type InputDocument, parseManifests, type ReadOptions, readManifests } from "./documents.js";
import { UntranslatableError } from "./errors.js";
import type { Obj } from "./fields.js";
import { translateFlaggerCanary } from "./flagger-canary.js";
import { sameNamespace } from "./meta.js";
import { type ImportNote, Notes } from "./notes.js";

/** What an import produced: valid Sluice resources, and warning and error lines, both in input order. */
export interface ImportResult {
  resources: Obj[];
  notes: ImportNote[];
}

/** How strict an import is. */
export interface ImportOptions {
  /**
   * Import a resource even when a check or gate of its source (a metric, a confirm webhook) cannot
   * be translated, with a warning per dropped one. Without it such a resource is refused.
   */
  dropUnsupported?: boolean;
  /**
   * The checks beyond the schema each printed resource must pass; `sluice import` passes the ones
   * `sluice lint` runs. By default, an analysis template's conditions, counts and limits.
   */
  checks?: ExtraCheck;
}

const templateChecks: ExtraCheck = (resource) =>
  resource.kind === "AnalysisTemplate" || resource.kind === "ClusterAnalysisTemplate" ? checkTemplate(resource) : [];

type Translator = (raw: Obj, ctx: ImportContext) => Obj[];

const TRANSLATORS: Record<string, Translator> = {
  "argoproj.io/Rollout": translateArgoRollout,
  "argoproj.io/AnalysisTemplate": translateArgoAnalysisTemplate,
  "argoproj.io/ClusterAnalysisTemplate": translateArgoAnalysisTemplate,
  "flagger.app/Canary": translateFlaggerCanary,
};

/** Recognised, but nothing to write for them. */
const SKIPPED: Record<string, string> = {
  "argoproj.io/AnalysisRun": "records a past analysis, and Sluice creates its own; skipped",
  "autoscaling/HorizontalPodAutoscaler":
    "keep it, with spec.scaleTargetRef set to apiVersion sluice.dev/v1alpha1, kind Rollout (a Sluice Rollout has the scale subresource); not part of the output",
};

/** Used through the documents that refer to them; a warning when nothing does. */
const REFERENCED: Record<string, { kind: ReferencedKind; unused: string }> = {
  "apps/Deployment": {
    kind: "Deployment",
    unused: "not the target of a Canary or the workloadRef of a Rollout in the input; skipped",
  },
  "flagger.app/AlertProvider": {
    kind: "AlertProvider",
    unused: "not the provider of a Canary's alerts in the input; skipped",
  },
  "flagger.app/MetricTemplate": {
    kind: "MetricTemplate",
    unused: "not used by a Canary in the input (a Canary's metrics carry its query); skipped",
  },
};

interface Entry {
  doc: InputDocument;
  key: string;
  name?: string;
  namespace?: string;
  notes: Notes;
  used: boolean;
}

function entryOf(doc: InputDocument, opts: ImportOptions): Entry {
  const { apiVersion, kind, metadata } = doc.value;
  const group = typeof apiVersion === "string" ? (apiVersion.includes("/") ? apiVersion.split("/")[0] : "") : "";
  const meta = typeof metadata === "object" && metadata !== null ? (metadata as Obj) : {};
  const name = typeof meta.name === "string" ? meta.name : undefined;
  const namespace = typeof meta.namespace === "string" ? meta.namespace : undefined;
  const k = typeof kind === "string" ? kind : "";
  const ref = k === "" ? undefined : name === undefined ? k : `${k}/${name}`;
  return {
    doc,
    key: `${group}/${k}`,
    ...(name === undefined ? {} : { name }),
    ...(namespace === undefined ? {} : { namespace }),
    notes: new Notes(doc.source, ref, doc.line, opts.dropUnsupported === true),
    used: false,
  };
}

/** Checks a translated resource as `sluice lint` would; a failing one is reported as an error. */
function validated(resource: Obj, entry: Entry, checks: ExtraCheck): boolean {
  try {
    parseResource(resource, entry.doc.source, { extraChecks: checks });
    return true;
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const meta = resource.metadata as Obj;
    for (const e of err.errors)
      entry.notes.fail(
        `the translated ${resource.kind} ${meta.name} is not valid: ${e.path === "" ? "" : `${e.path}: `}${e.message}`,
      );
    return false;
  }
}

/**
 * Translates Argo Rollouts and Flagger documents into Sluice resources. Documents may refer to
 * each other in any order (a Canary and its Deployment and MetricTemplates). Every output resource
 * passes Sluice's schema; a document that cannot be translated at all gives an error note.
 */
export function translateManifests(docs: readonly InputDocument[], opts: ImportOptions = {}): ImportResult {
  const entries = docs.map((d) => entryOf(d, opts));
  const outputs = new Map<Entry, Obj[]>();
  const find = (kind: ReferencedKind, name: string, namespace: string | undefined) => {
    const e = entries.find(
      (x) => REFERENCED[x.key]?.kind === kind && x.name === name && sameNamespace(x.namespace, namespace),
    );
    if (e === undefined) return undefined;
    e.used = true;
    return { value: e.doc.value, notes: e.notes };
  };
  for (const entry of entries) {
    const { apiVersion, kind } = entry.doc.value;
    if (typeof apiVersion !== "string" || typeof kind !== "string") {
      entry.notes.fail("not a Kubernetes resource (no apiVersion or kind); skipped");
      continue;
    }
    if (apiVersion === API_VERSION) {
      outputs.set(entry, [entry.doc.value]);
      continue;
    }
    const translate = TRANSLATORS[entry.key];
    if (translate !== undefined) {
      try {
        outputs.set(entry, translate(entry.doc.value, { notes: entry.notes, find }));
      } catch (err) {
        if (!(err instanceof UntranslatableError)) throw err;
        entry.notes.fail(`${err.message}; cannot translate`, err.path);
      }
      continue;
    }
    const skipped = SKIPPED[entry.key];
    if (skipped !== undefined) entry.notes.warn("", skipped);
    else if (entry.key === "argoproj.io/Experiment")
      entry.notes.fail("Argo Experiments are not supported yet; run the experiment's versions as separate Rollouts");
    else if (REFERENCED[entry.key] === undefined)
      // Services, Ingresses, VirtualServices... sit beside rollouts in most directories and stay as they are.
      entry.notes.info(`${apiVersion} ${kind} is not an Argo Rollouts or Flagger resource; passed over`);
  }
  const resources: Obj[] = [];
  const notes: ImportNote[] = [];
  for (const entry of entries) {
    const ref = REFERENCED[entry.key];
    if (ref !== undefined && !entry.used) entry.notes.warn("", ref.unused);
    // A refused document is left out whole: half of it (a Rollout without its analysis) is less safe than none.
    const translated = entry.notes.hasErrors ? [] : (outputs.get(entry) ?? []);
    const checks = opts.checks ?? templateChecks;
    if (translated.map((r) => validated(r, entry, checks)).every(Boolean)) resources.push(...translated);
    notes.push(...entry.notes.notes);
  }
  return { resources, notes };
}

/** Translates the manifests in a text (multi-document YAML or JSON); `source` names it in notes. */
export function importText(text: string, source: string, opts: ImportOptions = {}): ImportResult {
  const parsed = parseManifests(text, source);
  const result = translateManifests(parsed.documents, opts);
  return { resources: result.resources, notes: [...parsed.problems, ...result.notes] };
}

/** Reads files, directories and `-` (standard input), then translates everything read together. */
export async function importPaths(
  paths: readonly string[],
  opts: ReadOptions & ImportOptions = {},
): Promise<ImportResult> {
  const parsed = await readManifests(paths, opts);
  const result = translateManifests(parsed.documents, opts);
  return { resources: result.resources, notes: [...parsed.problems, ...result.notes] };
}

/** Resources as multi-document YAML, the way `sluice import` prints them. */
export function renderResources(resources: readonly Obj[]): string {
  return resources.map((r) => stringify(r, { lineWidth: 0, aliasDuplicateObjects: false }).trimEnd()).join("\n---\n");
}
