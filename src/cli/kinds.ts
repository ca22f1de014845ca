import type { ResourceKind } from "../ports/control-plane.js";
import { CliError } from "./cli-error.js";

const KINDS: { kind: ResourceKind; plural: string; names: string[] }[] = [
  { kind: "Rollout", plural: "rollouts", names: ["rollout", "rollouts", "ro"] },
  { kind: "AnalysisTemplate", plural: "analysistemplates", names: ["analysistemplate", "analysistemplates", "at"] },
  {
    kind: "ClusterAnalysisTemplate",
    plural: "clusteranalysistemplates",
    names: ["clusteranalysistemplate", "clusteranalysistemplates", "cat"],
  },
  { kind: "AnalysisRun", plural: "analysisruns", names: ["analysisrun", "analysisruns", "ar"] },
  { kind: "Pipeline", plural: "pipelines", names: ["pipeline", "pipelines", "pl"] },
  { kind: "Release", plural: "releases", names: ["release", "releases", "rel"] },
];

/** Resolves what a user typed (`rollout`, `rollouts`, `ro`, `Rollout`...) to a kind and its API path segment. */
export function resolveKind(typed: string): { kind: ResourceKind; plural: string } {
  const found = KINDS.find((k) => k.names.includes(typed.toLowerCase()));
  if (!found)
    throw new CliError(
      `unknown resource type "${typed}"; use one of rollout (ro), analysistemplate (at), clusteranalysistemplate (cat), analysisrun (ar), pipeline (pl), release (rel)`,
    );
  return { kind: found.kind, plural: found.plural };
}
