import { checkTemplate } from "../analysis/template-checks.js";
import { formatPath } from "../model/errors.js";
import type { Pipeline } from "../model/index.js";
import type { FieldIssue } from "../model/issues.js";
import { type CheckIssue, type ExtraCheck, type LoadPathsOptions, loadPaths } from "../model/load.js";
import { readProcessStdin } from "../model/manifest-files.js";
import { pipelineChecks, stageRolloutChecks } from "../pipeline/index.js";
import type { Resource } from "../ports/control-plane.js";
import { placeholderIssues } from "./lint-placeholders.js";

/** Where lint writes; the CLI's `Output` fits. */
export interface LintOutput {
  log(text: string): void;
  error(text: string): void;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

const located = (issues: FieldIssue[]): CheckIssue[] =>
  issues.map((i) => ({ path: formatPath(i.path), message: i.message }));

/** Checks the schema cannot make: CEL conditions, count vs interval, reachable limits. */
export const analysisChecks: ExtraCheck = (resource) =>
  resource.kind === "AnalysisTemplate" || resource.kind === "ClusterAnalysisTemplate" ? checkTemplate(resource) : [];

/** Every check of one resource on its own: {@link analysisChecks}, and a pipeline's stages and gates. */
export const resourceChecks: ExtraCheck = (resource, locate) =>
  resource.kind === "Pipeline"
    ? located(
        pipelineChecks(resource.spec, { rolesAreGroups: forKubernetes(resource), clusters: forKubernetes(resource) }),
      )
    : analysisChecks(resource, locate);

/**
 * A pipeline that names a namespace or another cluster is meant for Kubernetes, where approval roles
 * are groups and a hub can reach other clusters.
 */
function forKubernetes(pipeline: Pipeline): boolean {
  return (
    pipeline.metadata.namespace !== undefined ||
    pipeline.spec.stages.some((s) => s.namespace !== undefined || s.cluster !== undefined)
  );
}

interface RolloutRef {
  name: string;
  namespace: string | undefined;
}

/**
 * A stage's rollout is found when a Rollout of that name is linted with it. A namespace left out on
 * either side matches any: `kubectl apply -n` (or the local platform) decides it.
 */
function missingRollouts(pipeline: Pipeline, rollouts: readonly RolloutRef[]): CheckIssue[] {
  const has = (name: string, namespace = pipeline.metadata.namespace) =>
    rollouts.some(
      (r) => r.name === name && (r.namespace === undefined || namespace === undefined || r.namespace === namespace),
    );
  return located(stageRolloutChecks(pipeline.spec, has)).map((i) => ({
    ...i,
    message: `${i.message}; lint the pipeline together with its rollouts`,
  }));
}

/**
 * Loads `paths` with `checks` on each resource, and checks every pipeline's stages against the
 * Rollouts of the whole run. Those are known only once everything is read, so a run where some
 * stage misses its rollout reads the input a second time to put that problem at its line.
 */
async function loadAndCheck(paths: string[], checks: ExtraCheck, opts: LoadPathsOptions) {
  // Standard input can be read once; the second pass reads the same text.
  let stdin: Promise<string> | undefined;
  const readStdin = () => {
    stdin ??= (opts.readStdin ?? readProcessStdin)();
    return stdin;
  };
  const rollouts: RolloutRef[] = [];
  const pipelines: Pipeline[] = [];
  const first = await loadPaths(paths, {
    ...opts,
    readStdin,
    extraChecks: (resource: Resource, locate) => {
      if (resource.kind === "Rollout")
        rollouts.push({ name: resource.metadata.name, namespace: resource.metadata.namespace });
      if (resource.kind === "Pipeline") pipelines.push(resource);
      return checks(resource, locate);
    },
  });
  if (pipelines.every((p) => missingRollouts(p, rollouts).length === 0)) return first;
  return loadPaths(paths, {
    ...opts,
    readStdin,
    extraChecks: (resource, locate) => [
      ...checks(resource, locate),
      ...(resource.kind === "Pipeline" ? missingRollouts(resource, rollouts) : []),
    ],
  });
}

/**
 * Placeholders left in valid resources (`image: REPLACE-ME`), as `file:line path: ...` lines. They
 * warn and do not fail lint: the resource is valid, only not finished. A second read of the input
 * puts each at its file and line the way errors are.
 */
async function placeholderWarnings(paths: string[], readStdin: () => Promise<string>): Promise<string[]> {
  const produced = new Set<string>();
  const { errors } = await loadPaths(paths, {
    readStdin,
    extraChecks: (resource) => {
      const issues = placeholderIssues(resource);
      for (const i of issues) produced.add(i.message);
      return issues;
    },
  });
  return errors.filter((e) => produced.has(e.message)).map((e) => e.toString());
}

/**
 * `sluice lint PATH...`: validates manifests without a controller. Prints every error on its own
 * line (`rollout.yaml:14 spec.strategy.canary.steps[2].setWeight: must be between 0 and 100`) and
 * returns the exit code: 0 when every resource is valid, 1 otherwise (also when nothing was found).
 * Resources also go through {@link resourceChecks} unless `opts.extraChecks` replaces them, and
 * each pipeline stage's rollout must be among the linted resources.
 */
export async function lintCommand(paths: string[], out: LintOutput, opts: LoadPathsOptions = {}): Promise<number> {
  if (paths.length === 0) {
    out.error("name at least one file or directory, or - for standard input");
    return 1;
  }
  // Standard input can be read once; the placeholder pass reads the same text.
  let stdin: Promise<string> | undefined;
  const readStdin = () => {
    stdin ??= (opts.readStdin ?? readProcessStdin)();
    return stdin;
  };
  const { resources, errors } = await loadAndCheck(paths, opts.extraChecks ?? resourceChecks, { ...opts, readStdin });
  for (const e of errors) out.error(e.toString());
  for (const w of await placeholderWarnings(paths, readStdin)) out.error(`warning: ${w}`);
  if (errors.length > 0) {
    out.error(`${plural(errors.length, "error")}; ${plural(resources.length, "resource")} OK`);
    return 1;
  }
  if (resources.length === 0) {
    out.error(`no resources found in ${paths.join(", ")}`);
    return 1;
  }
  out.log(`${plural(resources.length, "resource")} OK`);
  return 0;
}
