import { isDeepStrictEqual } from "node:util";
import { checkTemplate } from "../analysis/template-checks.js";
import { ManifestError, ValidationError } from "../model/errors.js";
import type { AnalysisTemplate, Rollout } from "../model/index.js";
import { parseResource } from "../model/load.js";
import type { RolloutAnalysis } from "../model/strategy.js";
import type { ApplyResult, EventRecord, Resource } from "./control-plane.js";
import type { LocalControllerStore } from "./store-port.js";

/** How {@link validateForApply} learns what already exists and what the platform can run. */
export interface ApplyChecks {
  /** Whether a resource is already stored (analysis templates a rollout names). */
  exists: (kind: Resource["kind"], name: string) => boolean;
  /** Problems that make a rollout impossible on this platform. */
  admit?: (rollout: Rollout) => { path: string; message: string }[];
}

/**
 * Parses and checks every document, and the references between them and what exists; throws one
 * ValidationError listing every problem, or returns the parsed resources. Shared by the local
 * store and the Kubernetes client, so a file fails the same way on both platforms.
 */
export function validateForApply(documents: unknown[], source: string, checks: ApplyChecks): Resource[] {
  const errors: ManifestError[] = [];
  const parsed: Resource[] = [];
  documents.forEach((doc, index) => {
    try {
      const resource = parseResource(doc, source);
      parsed.push(resource);
      if (resource.kind === "AnalysisTemplate" || resource.kind === "ClusterAnalysisTemplate")
        for (const issue of checkTemplate(resource as AnalysisTemplate))
          errors.push(new ManifestError({ file: source, docIndex: index, path: issue.path, message: issue.message }));
    } catch (err) {
      if (err instanceof ValidationError) errors.push(...err.errors);
      else throw err;
    }
  });
  for (const resource of parsed) {
    if (resource.kind !== "Rollout") continue;
    errors.push(...missingTemplates(resource, parsed, checks.exists, source));
    for (const p of checks.admit?.(resource) ?? [])
      errors.push(new ManifestError({ file: source, path: p.path, message: p.message }));
  }
  if (errors.length > 0) throw new ValidationError(errors);
  return parsed;
}

/**
 * Validates every document, checks references between them and what is stored, and stores them
 * all in one transaction, or throws a ValidationError and stores nothing. Each created or changed
 * resource gets an `Applied` event naming `actor`, in the same transaction; `onEvent` sees them
 * once it has committed.
 */
export function applyResources(
  store: LocalControllerStore,
  documents: unknown[],
  opts: { dryRun?: boolean; source?: string; actor?: string; onEvent?: (event: EventRecord) => void } = {},
  admit: (rollout: Rollout) => { path: string; message: string }[] = () => [],
): ApplyResult[] {
  const parsed = validateForApply(documents, opts.source ?? "request", {
    exists: (kind, name) => store.getResource(kind, name) !== undefined,
    admit,
  });

  const source = opts.source ?? "request";
  const events: EventRecord[] = [];
  const results = store.transaction(() =>
    parsed.map((resource) => {
      const existing = store.getResource(resource.kind, resource.metadata.name);
      const outcome: ApplyResult["outcome"] = !existing
        ? "created"
        : isDeepStrictEqual(specOf(existing), specOf(resource))
          ? "unchanged"
          : "configured";
      // Applying a manifest never overwrites status: it belongs to the controller.
      if (!opts.dryRun && outcome !== "unchanged") {
        const status = (existing as { status?: unknown } | undefined)?.status;
        const stored = store.putResource({ ...resource, ...(status ? { status } : {}) } as Resource);
        const message = `sluice apply: ${outcome} from ${source}, generation ${stored.metadata.generation ?? 1}`;
        events.push(
          ...store.appendEvents(resource.kind, resource.metadata.name, [
            { type: "Normal", reason: "Applied", message, ...(opts.actor ? { actor: opts.actor } : {}) },
          ]),
        );
      }
      return { kind: resource.kind, name: resource.metadata.name, outcome };
    }),
  );
  for (const event of events) opts.onEvent?.(event);
  return results;
}

/** What `apply` compares to tell "configured" from "unchanged": status belongs to the controller. */
export function specOf(r: Resource): unknown {
  return { spec: r.spec, labels: r.metadata.labels, annotations: r.metadata.annotations };
}

/** Analysis templates a rollout names that are neither stored nor in the same apply. */
function missingTemplates(
  rollout: Rollout,
  batch: Resource[],
  exists: ApplyChecks["exists"],
  source: string,
): ManifestError[] {
  const errors: ManifestError[] = [];
  const check = (analysis: RolloutAnalysis | undefined, path: string) => {
    analysis?.templates.forEach((ref, i) => {
      const kind = ref.clusterScope ? "ClusterAnalysisTemplate" : "AnalysisTemplate";
      const known =
        batch.some((r) => r.kind === kind && r.metadata.name === ref.templateName) || exists(kind, ref.templateName);
      if (!known)
        errors.push(
          new ManifestError({
            file: source,
            path: `${path}.templates[${i}].templateName`,
            message: `${kind} "${ref.templateName}" not found; apply it first or in the same file`,
          }),
        );
    });
  };
  const { canary, blueGreen } = rollout.spec.strategy;
  canary?.steps.forEach((step, i) => {
    if ("analysis" in step) check(step.analysis, `spec.strategy.canary.steps[${i}].analysis`);
  });
  check(canary?.analysis, "spec.strategy.canary.analysis");
  check(blueGreen?.prePromotionAnalysis, "spec.strategy.blueGreen.prePromotionAnalysis");
  check(blueGreen?.postPromotionAnalysis, "spec.strategy.blueGreen.postPromotionAnalysis");
  return errors;
}
