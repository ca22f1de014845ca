import { checkTemplate } from "../analysis/template-checks.js";
import { type ExtraCheck, type LoadPathsOptions, loadPaths } from "../model/load.js";

/** Where lint writes; the CLI's `Output` fits. */
export interface LintOutput {
  log(text: string): void;
  error(text: string): void;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Checks the schema cannot make: CEL conditions, count vs interval, reachable limits. */
export const analysisChecks: ExtraCheck = (resource) =>
  resource.kind === "AnalysisTemplate" || resource.kind === "ClusterAnalysisTemplate" ? checkTemplate(resource) : [];

/**
 * `sluice lint PATH...`: validates manifests without a controller. Prints every error on its own
 * line (`rollout.yaml:14 spec.strategy.canary.steps[2].setWeight: must be between 0 and 100`) and
 * returns the exit code: 0 when every resource is valid, 1 otherwise (also when nothing was found).
 * Analysis templates also go through {@link analysisChecks} unless `opts.extraChecks` replaces them.
 */
export async function lintCommand(paths: string[], out: LintOutput, opts: LoadPathsOptions = {}): Promise<number> {
  if (paths.length === 0) {
    out.error("name at least one file or directory, or - for standard input");
    return 1;
  }
  const { resources, errors } = await loadPaths(paths, { extraChecks: analysisChecks, ...opts });
  for (const e of errors) out.error(e.toString());
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
