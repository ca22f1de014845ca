import { checkTemplate } from "../analysis/template-checks.js";
import { formatPath, ManifestError, ValidationError } from "../model/errors.js";
import type { AnalysisTemplate, Pipeline, Release, Rollout } from "../model/index.js";
import { parseResource } from "../model/load.js";
import type { Resource } from "../model/resource.js";
import type { RolloutAnalysis } from "../model/strategy.js";
import { pipelineChecks, stageRolloutChecks } from "../pipeline/index.js";

/** How {@link validateForApply} learns what already exists and what the platform can run. */
export interface ApplyChecks {
  /** Whether a resource is already stored (analysis templates a rollout names). */
  exists: (kind: Resource["kind"], name: string) => boolean;
  /** Problems that make a rollout impossible on this platform. */
  admit?: (rollout: Rollout) => { path: string; message: string }[];
  /**
   * Kubernetes: a pipeline's approval roles are group names, and a stage's Rollout may live in
   * another namespace or come later (as kubectl allows), so neither is checked here.
   */
  cluster?: boolean;
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
  const inBatch = (kind: Resource["kind"], name: string) =>
    parsed.some((r) => r.kind === kind && r.metadata.name === name) || checks.exists(kind, name);
  parsed.forEach((resource, index) => {
    const at = (issue: { path: readonly (string | number)[] | string; message: string }) =>
      new ManifestError({
        file: source,
        docIndex: index,
        path: typeof issue.path === "string" ? issue.path : formatPath(issue.path),
        message: issue.message,
      });
    if (resource.kind === "Pipeline") {
      const spec = (resource as Pipeline).spec;
      for (const issue of pipelineChecks(spec, {
        rolesAreGroups: checks.cluster === true,
        clusters: checks.cluster === true,
      }))
        errors.push(at(issue));
      if (!checks.cluster)
        for (const issue of stageRolloutChecks(spec, (name) => inBatch("Rollout", name))) errors.push(at(issue));
    }
    if (resource.kind === "Release" && !inBatch("Pipeline", (resource as Release).spec.pipeline))
      errors.push(
        at({
          path: "spec.pipeline",
          message: `Pipeline "${(resource as Release).spec.pipeline}" not found; apply it first or in the same file`,
        }),
      );
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
