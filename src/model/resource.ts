import type { AnalysisRun, AnalysisTemplate, ClusterAnalysisTemplate } from "./analysis.js";
import type { Pipeline } from "./pipeline.js";
import type { Release } from "./release.js";
import type { Rollout } from "./rollout.js";

/** Any resource Sluice stores. */
export type Resource = Rollout | AnalysisTemplate | ClusterAnalysisTemplate | AnalysisRun | Pipeline | Release;
/** The kinds of {@link Resource}, as written in `kind:`. */
export type ResourceKind = Resource["kind"];
