import { type Histogram, minus, quantileBounds, readBuckets, sameLayout, shapedQuantile, total } from "./buckets.js";
import { alternativeGrid } from "./eprocess.js";
import { confidenceText, count, evidenceText, thresholdText } from "./explain.js";
import { logLatencyJointEvidence } from "./latency-joint.js";
import type { JudgeOutcome, JudgeVerdict, LatencyLook, LatencyTest } from "./types.js";

export {
  bucketShareBelow,
  type Histogram,
  interpolatedQuantile,
  quantileBounds,
  readBuckets,
  shapedQuantile,
  shapedSlowerThan,
  slowerThan,
} from "./buckets.js";

/*
 * The latency judge compares the canary's q-quantile with (1 + rel) × the baseline's, from cumulative
 * histogram buckets. Why bucket exceedances and not a rank test or quantile confidence sequences on raw
 * samples: buckets are all the router and Prometheus keep, and "how many canary requests were slower
 * than b" is a Bernoulli count, so the same anytime-valid e-process as for errors applies.
 *
 * Evidence (latency-joint.ts): for every candidate baseline quantile x, the canary's requests slower
 * than (1+rel)·x against a share of 1 − q, times the baseline's requests slower than x against
 * 1 − q; the smallest product over x, from all requests so far (universal inference, as the error
 * judge does with the baseline's rate in joint.ts). At the true q_b the product is an e-process, so
 * the smallest one never overstates it, and no α goes to a separate bound on q_b.
 *   Failed      when the evidence that the canary's quantile is above (1+rel)·q_b reaches 1/α;
 *   Successful  when the evidence that it is below (1+rel)·q_b reaches 1/α (and minRequests).
 * Each side keeps the highest value it has reached: for the null that holds, the chance its
 * evidence EVER reaches 1/α is at most α.
 * Inside a bucket the judge must read between the edges: the router's and Prometheus' buckets are
 * 2-2.5× apart, and no honest reading of whole buckets can see a +20 % change. It reads each bucket as
 * a piece of a log-normal: the probit of the CDF (Φ⁻¹ of the share below) is taken as linear in log
 * latency between the bucket's two edges. Prometheus' histogram_quantile interpolates linearly in
 * latency instead, which in the slow tail (density falling across the bucket) overstates how many
 * requests are slower than a point just past an edge: a canary exactly at the tolerated +20 % read
 * that way was rolled back every time over 30 minutes. The log-normal reading is exact for log-normal
 * latency and follows any tail whose density falls smoothly; it is the one modelling assumption of
 * the judge (documented in docs/analysis.md).
 */

/**
 * How far past the edge (log-odds of the slow share against 1 − q) the latency evidence looks. A
 * latency regression moves the slow share less than an error regression moves the error rate: p95
 * +20 % against a tolerated +10 % is a step of about 0.3, a canary 3× slower about 2.5, an identical
 * canary about −0.3 on the no-regression side. So the weight sits on 0.15–0.5, not on the error
 * grid's 0.35–1.4 (measured: p95 +20 % rolled back in ~20 % fewer canary requests).
 */
const LATENCY_GRID = alternativeGrid([0.15, 0.25, 0.35, 0.5, 0.7, 1, 1.5, 3], [2, 3, 3, 3, 2, 1, 1, 1]);

/** A test's numbers that make no sense. */
export function latencyTestProblem(test: LatencyTest): string | undefined {
  if (test === null || typeof test !== "object") return "the test is missing";
  if (!(test.alpha >= 1e-12 && test.alpha < 1)) return `alpha must be between 1e-12 and 1 (got ${test.alpha})`;
  if (!(test.quantile > 0 && test.quantile < 1)) return `quantile must be between 0 and 1 (got ${test.quantile})`;
  if (!(test.maxRelativeIncrease >= 0) || !Number.isFinite(test.maxRelativeIncrease))
    return `maxRelativeIncrease must be a number >= 0 (got ${test.maxRelativeIncrease})`;
  if (!(test.minRequests >= 0) || !Number.isFinite(test.minRequests))
    return `minRequests must be a number >= 0 (got ${test.minRequests})`;
  return undefined;
}

/** The latency judge's running state: a fold over histogram increments (benches step it directly). */
export interface LatencyState {
  readonly test: LatencyTest;
  /** ln evidence of the sums before a bucket layout change (their last values): it multiplies on. */
  carried: { fail: number; safe: number };
  /** ln evidence of the current sums at the current bounds. */
  current: { fail: number; safe: number };
  /** The highest ln evidence (carried + current) reached at any look: a crossing stays crossed. */
  peak: { fail: number; safe: number };
  sum?: { canary: Histogram; baseline: Histogram };
  decided?: "Successful" | "Failed";
  failAt?: number;
  safeAt?: number;
  invalid: number;
  restarts: number;
}

/** A fresh state for a valid test (check {@link latencyTestProblem} first). */
export function startLatency(test: LatencyTest): LatencyState {
  return {
    test,
    carried: { fail: 0, safe: 0 },
    current: { fail: 0, safe: 0 },
    peak: { fail: 0, safe: 0 },
    invalid: 0,
    restarts: 0,
  };
}

const logFail = (s: LatencyState) => s.peak.fail;
const logSafe = (s: LatencyState) => s.peak.safe;

/** Feed one trusted increment (bucket counts gained between two looks, same layout for both). */
export function stepLatency(s: LatencyState, dc: Histogram, db: Histogram): void {
  const { quantile: q, maxRelativeIncrease: rel, alpha } = s.test;
  if (!s.sum || !sameLayout(s.sum.canary, dc)) {
    // A new bucket layout starts the sums afresh; the evidence so far carries on (it multiplies).
    s.carried = { fail: s.carried.fail + s.current.fail, safe: s.carried.safe + s.current.safe };
    s.current = { fail: 0, safe: 0 };
    s.sum = {
      canary: { les: dc.les, counts: dc.les.map(() => 0) },
      baseline: { les: dc.les, counts: dc.les.map(() => 0) },
    };
  }
  const sum = s.sum;
  s.sum = {
    canary: { les: sum.canary.les, counts: sum.canary.counts.map((c, i) => c + (dc.counts[i] as number)) },
    baseline: { les: sum.baseline.les, counts: sum.baseline.counts.map((c, i) => c + (db.counts[i] as number)) },
  };
  if (s.decided !== undefined) return;
  const { canary, baseline } = s.sum;
  const n = total(canary);
  for (const side of ["fail", "safe"] as const) {
    const v = logLatencyJointEvidence(side === "fail" ? "up" : "down", canary, baseline, q, rel, LATENCY_GRID);
    s.current[side] = v;
    s.peak[side] = Math.max(s.peak[side], s.carried[side] + v);
  }
  // What the explanation names: (1+rel) × the baseline's reading, the point the evidence is about.
  const qb = shapedQuantile(baseline, q);
  if (qb !== undefined) s.failAt = s.safeAt = (1 + rel) * qb;
  const limit = Math.log(1 / alpha);
  if (logFail(s) >= limit) s.decided = "Failed";
  else if (s.restarts === 0 && n >= s.test.minRequests && logSafe(s) >= limit) s.decided = "Successful";
}

/** Judge the canary's latency quantile against the baseline's from cumulative histogram looks. */
export function judgeLatency(looks: readonly LatencyLook[], test: LatencyTest): JudgeVerdict {
  const problem = latencyTestProblem(test);
  if (problem !== undefined) return latencyInconclusive(`latency test not judged: ${problem}`, test?.alpha);
  const s = startLatency(test);
  let prev: { canary: Histogram; baseline: Histogram } | undefined;
  for (const look of Array.isArray(looks) ? looks : []) {
    const canary = readBuckets(look?.canary);
    const baseline = readBuckets(look?.baseline);
    if (!canary || !baseline || !sameLayout(canary, baseline)) {
      s.invalid++;
      continue;
    }
    const before = prev;
    prev = { canary, baseline };
    if (!before || !sameLayout(before.canary, canary)) continue;
    const dc = minus(canary, before.canary);
    const db = minus(baseline, before.baseline);
    if (!dc || !db) {
      s.restarts++;
      continue;
    }
    stepLatency(s, dc, db);
  }
  return latencyVerdictOf(s);
}

/** The verdict for a state, with its explanation. */
export function latencyVerdictOf(s: LatencyState): JudgeVerdict {
  const empty = { les: [], counts: [] };
  return latencyVerdict({
    test: s.test,
    decided: s.decided,
    logFail: logFail(s),
    logSafe: logSafe(s),
    canary: s.sum?.canary ?? empty,
    baseline: s.sum?.baseline ?? empty,
    failAt: s.failAt,
    safeAt: s.safeAt,
    invalid: s.invalid,
    restarts: s.restarts,
  });
}

function latencyInconclusive(reason: string, alpha: unknown): JudgeVerdict {
  const a = typeof alpha === "number" && alpha >= 1e-12 && alpha < 1 ? alpha : 0.01;
  return {
    outcome: "Inconclusive",
    evidence: 1,
    threshold: 1 / a,
    effect: { estimate: Number.NaN, lower: Number.NaN, upper: Number.NaN, unit: "ratio" },
    canary: { requests: 0 },
    baseline: { requests: 0 },
    explanation: reason,
  };
}

function ms(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return "?";
  const v = seconds * 1000;
  return v >= 10 ? `${Math.round(v)} ms` : `${Number(v.toPrecision(2))} ms`;
}

function latencyVerdict(v: {
  test: LatencyTest;
  decided: JudgeOutcome | undefined;
  logFail: number;
  logSafe: number;
  canary: Histogram;
  baseline: Histogram;
  failAt?: number;
  safeAt?: number;
  invalid: number;
  restarts: number;
}): JudgeVerdict {
  const { test } = v;
  const q = test.quantile;
  const qc = shapedQuantile(v.canary, q);
  const qb = shapedQuantile(v.baseline, q);
  const cb = quantileBounds(v.canary, q, test.alpha / 2);
  const bb = quantileBounds(v.baseline, q, test.alpha / 2);
  const ratio = (a: number | undefined, b: number | undefined) =>
    a !== undefined && b !== undefined && b > 0 ? a / b : Number.NaN;
  const effect = {
    estimate: ratio(qc, qb),
    lower: cb.below !== undefined && bb.atMost !== undefined ? cb.below / bb.atMost : Number.NaN,
    upper: ratio(cb.atMost, bb.below),
    unit: "ratio" as const,
  };
  const evidence = Math.exp(v.logFail);
  const threshold = 1 / test.alpha;
  const outcome: JudgeOutcome = v.decided ?? "Running";
  const pct = `p${Number((q * 100).toPrecision(4))}`;
  const ci = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : "?");
  const n = total(v.canary);
  let text =
    n === 0
      ? `no canary requests yet (baseline ${count(total(v.baseline))})`
      : `canary ${pct} ${ms(qc)} vs baseline ${ms(qb)} (${ci(effect.estimate)}, ${confidenceText(test.alpha)} CI ` +
        `${ci(effect.lower)} to ${ci(effect.upper)}; tolerated ${(1 + test.maxRelativeIncrease).toFixed(2)}×) after ${count(n)} canary requests`;
  if (outcome === "Failed")
    text += `; evidence ${evidenceText(evidence)} > 1/α = ${thresholdText(test.alpha)} that more than ${((1 - q) * 100).toPrecision(2)}% of canary requests are slower than ${ms(v.failAt)}: Failed`;
  else if (outcome === "Successful")
    text += `; evidence of no regression ${evidenceText(Math.exp(v.logSafe))} > 1/α = ${thresholdText(test.alpha)} (canary ${pct} at most ${ms(v.safeAt)}): Successful`;
  else
    text += `; evidence ${evidenceText(evidence)} (regression) and ${evidenceText(Math.exp(v.logSafe))} (no regression) of 1/α = ${thresholdText(test.alpha)}: Running`;
  if (v.restarts > 0) text += `; histograms went backwards ${v.restarts}× (a restart?): never promoted on these looks`;
  if (v.invalid > 0) text += `; ${v.invalid} look(s) with unreadable buckets skipped`;
  return {
    outcome,
    evidence,
    threshold,
    effect,
    canary: { requests: n },
    baseline: { requests: total(v.baseline) },
    explanation: text,
  };
}
