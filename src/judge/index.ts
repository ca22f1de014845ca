/**
 * The statistical judge: anytime-valid comparisons of a canary against a baseline. Pure functions of
 * the looks the caller stores; see docs/analysis.md ("How the judge decides").
 */
export type {
  Bucket,
  CountLook,
  ErrorRateTest,
  JudgeOutcome,
  JudgeVerdict,
  LatencyLook,
  LatencyTest,
  RevisionCounts,
} from "./types.js";

import type { CountLook, ErrorRateTest, JudgeVerdict, LatencyLook, LatencyTest } from "./types.js";

/** Judge the canary's error rate against the baseline's from cumulative count looks. */
export function judgeErrorRate(_looks: readonly CountLook[], _test: ErrorRateTest): JudgeVerdict {
  throw new Error("not implemented");
}

/** Judge the canary's latency quantile against the baseline's from cumulative histogram looks. */
export function judgeLatency(_looks: readonly LatencyLook[], _test: LatencyTest): JudgeVerdict {
  throw new Error("not implemented");
}

/** Split one rollout-wide false-alarm budget across metrics (anytime-valid tests make looks free). */
export function splitAlpha(alpha: number, metricCount: number): number {
  return alpha / metricCount;
}
