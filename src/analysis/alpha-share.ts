import { DEFAULT_ALPHA, type Strategy } from "../model/index.js";
import { judgesAnyMetric, type TemplateLookup } from "./run-builder.js";

/**
 * How many of a rollout's analyses judge a metric: its analysis steps, its background analysis and
 * blue-green's pre- and post-promotion analyses. The rollout's false-alarm budget α is one promise
 * ("an identical canary is rolled back at most α of the time"), so each judged analysis gets α/N
 * (Bonferroni), and within it each judged metric a share of that. At least 1.
 *
 * @example judgedAnalyses({ canary: { steps: [a, { setWeight: 50 }, a] } }, lookup) // 2 when a judges
 */
export function judgedAnalyses(strategy: Strategy, lookup: TemplateLookup): number {
  const refs = [
    ...(strategy.canary?.steps ?? []).flatMap((step) => ("analysis" in step && step.analysis ? [step.analysis] : [])),
    ...(strategy.canary?.analysis ? [strategy.canary.analysis] : []),
    ...(strategy.blueGreen?.prePromotionAnalysis ? [strategy.blueGreen.prePromotionAnalysis] : []),
    ...(strategy.blueGreen?.postPromotionAnalysis ? [strategy.blueGreen.postPromotionAnalysis] : []),
  ];
  return Math.max(1, refs.filter((a) => judgesAnyMetric(a.templates, lookup)).length);
}

/** The smallest α a run may carry (the model's bound), so a tiny budget split many ways stays storable. */
const MIN_RUN_ALPHA = 1e-9;

/**
 * A judged run's α once the rollout's budget is split over `analyses` judged analyses: the
 * templates' α (or the default) divided by it; unchanged (possibly unset) for a single one.
 */
export function sharedRunAlpha(templateAlpha: number | undefined, analyses: number): number | undefined {
  if (analyses <= 1) return templateAlpha;
  return Math.max(MIN_RUN_ALPHA, (templateAlpha ?? DEFAULT_ALPHA) / analyses);
}
