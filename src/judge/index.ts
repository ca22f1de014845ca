/**
 * The statistical judge: anytime-valid comparisons of a canary against a baseline. Pure functions of
 * the looks the caller stores; see docs/analysis.md ("How the judge decides").
 */

export { splitAlpha } from "./alpha.js";
export { judgeErrorRate } from "./error-rate.js";
export { judgeLatency } from "./latency.js";
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
