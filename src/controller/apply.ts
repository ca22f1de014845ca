import { isDeepStrictEqual } from "node:util";
import { checkTemplate } from "../analysis/template-checks.js";
import { formatPath, ManifestError, ValidationError } from "../model/errors.js";
import type { AnalysisTemplate, Pipeline, Release, Rollout } from "../model/index.js";
import { parseResource } from "../model/load.js";
import { sameReleaseSpec, stampRelease } from "../model/release.js";
import type { RolloutAnalysis } from "../model/strategy.js";
import { pipelineChecks, releaseOf, releaseOnBase, stageRolloutChecks } from "../pipeline/index.js";
import type { ApplyResult, EventRecord, Resource } from "./control-plane.js";
import type { LocalControllerStore } from "./store-port.js";

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
      for (const issue of pipelineChecks(spec, { rolesAreGroups: checks.cluster === true })) errors.push(at(issue));
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
    parsed.map((input) => {
      const existing = store.getResource(input.kind, input.metadata.name);
      const resource =
        input.kind === "Release"
          ? releaseToStore(input, existing as Release | undefined, opts)
          : input.kind === "Rollout"
            ? keepRelease(input as Rollout, existing as Rollout | undefined, store)
            : input;
      const outcome: ApplyResult["outcome"] = !existing
        ? "created"
        : isDeepStrictEqual(specOf(existing), specOf(resource))
          ? "unchanged"
          : "configured";
      // Applying a manifest never writes status, not even on create: it belongs to the controller,
      // and a crafted one (a Healthy rollout, a finished analysis run) must not be believed.
      if (!opts.dryRun && outcome !== "unchanged") {
        const status = (existing as { status?: unknown } | undefined)?.status;
        const { status: _ignored, ...written } = resource as Resource & { status?: unknown };
        const stored = store.putResource({ ...written, ...(status ? { status } : {}) } as Resource);
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

/**
 * A release as it is stored: stamped with its creator and creation time the first time, and never
 * changed after (the same spec again is "unchanged", another spec is refused).
 */
function releaseToStore(release: Release, existing: Release | undefined, opts: { actor?: string; source?: string }) {
  if (!existing) return stampRelease(release, { actor: opts.actor ?? "unknown", now: new Date() });
  if (!sameReleaseSpec(existing.spec, release.spec))
    throw new ValidationError([
      new ManifestError({
        file: opts.source ?? "request",
        path: "spec",
        message: `release "${release.metadata.name}" already exists and releases never change; create a new release with another name`,
      }),
    ]);
  return existing;
}

/**
 * A stage rollout a pipeline has changed keeps its release when its manifest is applied again: the
 * applied template becomes the base and the release is put back on it. Otherwise editing, say, the
 * replicas of a production rollout would roll the code in it back to what the manifest names.
 */
function keepRelease(rollout: Rollout, existing: Rollout | undefined, store: LocalControllerStore): Rollout {
  const running = existing && releaseOf(existing.spec);
  if (running === undefined || releaseOf(rollout.spec) !== undefined) return rollout;
  const release = store.getResource("Release", running) as Release | undefined;
  return (release && releaseOnBase(rollout, release).rollout) ?? rollout;
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
