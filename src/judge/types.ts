/*
 * The judge's vocabulary: cumulative counts and histograms the caller collects at each look, the
 * tolerances a user writes, and the verdict. Everything here is plain data so the statistics stay a
 * pure function of the looks (src/judge has no I/O and reads no clock).
 */

/** Per-revision request and error counts, cumulative since the analysis started. */
export interface RevisionCounts {
  requests: number;
  errors: number;
}

/** One look at both revisions: cumulative counts at time `at` (ms since epoch). */
export interface CountLook {
  at: number;
  canary: RevisionCounts;
  baseline: RevisionCounts;
}

/** One histogram bucket (Prometheus-style cumulative `le` bucket, seconds), cumulative since start. */
export interface Bucket {
  le: number;
  count: number;
}

/** One look at both revisions' latency histograms. */
export interface LatencyLook {
  at: number;
  canary: Bucket[];
  baseline: Bucket[];
}

/** Running: keep looking. Successful: promote. Failed: roll back. Inconclusive: the data cannot be trusted. */
export type JudgeOutcome = "Running" | "Successful" | "Failed" | "Inconclusive";

/** An error-rate comparison of canary against baseline. */
export interface ErrorRateTest {
  /** This test's share of the false-alarm budget, e.g. 0.01. */
  alpha: number;
  /** Harm the user tolerates: canary worse than baseline by more than BOTH of these is a regression. */
  maxRelativeIncrease: number;
  /** Absolute tolerance in rate units: 0.005 = +0.5 percentage points. */
  maxAbsoluteIncrease: number;
  /** Never Successful below this many canary requests. */
  minRequests: number;
}

/** A latency-quantile comparison of canary against baseline, from histogram buckets. */
export interface LatencyTest {
  alpha: number;
  /** The quantile compared, e.g. 0.95. */
  quantile: number;
  /** Canary quantile above baseline quantile by more than this share is a regression (0.1 = +10 %). */
  maxRelativeIncrease: number;
  minRequests: number;
}

/** What the judge concluded from the looks so far, with the numbers behind it. */
export interface JudgeVerdict {
  outcome: JudgeOutcome;
  /** E-value against "no regression"; Failed when >= threshold. */
  evidence: number;
  /** 1/alpha. */
  threshold: number;
  effect: { estimate: number; lower: number; upper: number; unit: "points" | "ratio" | "seconds" };
  canary: { requests: number; errors?: number };
  baseline: { requests: number; errors?: number };
  /** Rough canary requests still needed to decide at the current rate/effect; undefined when unknown. */
  moreRequests?: number;
  /** One line naming the effect, its confidence interval, the samples, the evidence and alpha. */
  explanation: string;
}
