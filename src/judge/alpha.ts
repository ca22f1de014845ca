/** The smallest α the judge accepts: 1/α stays a finite, printable threshold. */
export const MIN_ALPHA = 1e-12;

/**
 * Split one rollout-wide false-alarm budget across metrics (Bonferroni). Each judged metric is
 * anytime-valid, so looking often costs nothing; only the number of metrics divides α. Hostile
 * numbers fall back to the cautious side: a budget outside [1e-9, 1) reads as 0.01, a count below 1
 * as 1, above 1000 as 1000.
 */
export function splitAlpha(alpha: number, metricCount: number): number {
  const a = alpha >= 1e-9 && alpha < 1 ? alpha : 0.01;
  const m = Number.isFinite(metricCount) && metricCount >= 1 ? Math.min(1000, Math.floor(metricCount)) : 1;
  return Math.max(MIN_ALPHA, a / m);
}
