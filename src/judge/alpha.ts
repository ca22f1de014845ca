/**
 * Split one rollout-wide false-alarm budget across metrics (Bonferroni). Each judged metric is
 * anytime-valid, so looking often costs nothing; only the number of metrics divides α. Hostile
 * numbers fall back to the cautious side: a budget outside (0, 1) reads as 0.01, a count below 1 as 1.
 */
export function splitAlpha(alpha: number, metricCount: number): number {
  const a = alpha > 0 && alpha < 1 ? alpha : 0.01;
  const m = Number.isFinite(metricCount) && metricCount >= 1 ? Math.floor(metricCount) : 1;
  return a / m;
}
