import type { ResourceKind } from "../ports/control-plane.js";
import { ApiError } from "./errors.js";

/** The URL segment of each kind, as `kubectl` spells resources: lowercase plural. */
export const PLURALS: Record<ResourceKind, string> = {
  Rollout: "rollouts",
  AnalysisTemplate: "analysistemplates",
  ClusterAnalysisTemplate: "clusteranalysistemplates",
  AnalysisRun: "analysisruns",
  Pipeline: "pipelines",
  Release: "releases",
};

const BY_PLURAL = new Map(Object.entries(PLURALS).map(([kind, plural]) => [plural, kind as ResourceKind]));

/** The kind behind a URL segment; throws NotFound for a segment that names no kind. */
export function kindOfPlural(plural: string): ResourceKind {
  const kind = BY_PLURAL.get(plural);
  if (!kind)
    throw new ApiError("NotFound", `unknown resource type "${plural}"; use one of ${[...BY_PLURAL.keys()].join(", ")}`);
  return kind;
}

/** A kind named in a query (`Rollout` or `rollouts`); throws Invalid otherwise. */
export function parseKind(value: string): ResourceKind {
  if (Object.hasOwn(PLURALS, value)) return value as ResourceKind;
  const kind = BY_PLURAL.get(value);
  if (!kind)
    throw new ApiError("Invalid", `unknown kind "${value}"; use one of ${Object.keys(PLURALS).join(", ")}`, {
      path: "kind",
    });
  return kind;
}
