import { addBernoulli, addSplit, type EProcess, logEvidence, newEProcess } from "./eprocess.js";
import { confidenceText, count, evidenceText, percent, points, thresholdText } from "./explain.js";
import { countIncrements } from "./looks.js";
import { rateConfidence } from "./math.js";
import type { CountLook, ErrorRateTest, JudgeOutcome, JudgeVerdict, RevisionCounts } from "./types.js";

/*
 * The error-rate judge. A regression is "canary worse than baseline by more than BOTH tolerances":
 * r_c > max(r_b·(1 + rel), r_b + abs), i.e. the ratio ρ = r_c/r_b exceeds 1 + max(rel, abs/r_b).
 * Four e-processes, each valid at every look; the baseline's unknown rate enters only through
 * time-uniform confidence bounds computed from the looks before each increment (predictable).
 *
 * Failed (evidence against "harmless", either route):
 *   ratioFail  errors conditioned on the traffic split, against ρ ≤ 1 + max(rel, abs/L_b): baseline
 *              drift and bursts hitting both revisions cancel;
 *   absFail AND ratioRel  canary errors alone against r_c ≤ max(U_b·(1+rel), U_b + abs), and the split
 *              against ρ ≤ 1 + rel. Decides when the baseline has too few errors for the first route
 *              (a canary failing every request against a clean baseline). Harmless means one of the two
 *              nulls holds, so requiring both keeps the route valid; the split half keeps a burst that
 *              hits both revisions (which inflates absFail alone) from rolling back.
 * Successful (evidence against "harmful", either route), only once canary requests >= minRequests:
 *   ratioSafe  conditioned on the split, against ρ ≥ 1 + max(rel, abs/U_b);
 *   absSafe    canary errors against r_c ≥ L_b + abs: promotes a canary with rare or no errors
 *              (0.1 %, where ratios say nothing for a long time) on the absolute tolerance.
 *
 * α budget: each side spends α in all: the baseline bounds at α/4 each, each e-process crosses at 4/α
 * (its evidence is reported divided by 4, so the verdict compares it with 1/α). Crossings are checked in look
 * order, so Failed (or Successful) on a prefix stays: later looks cannot undo it.
 */

const FAIL_BOUND_SHARE = 1 / 4;
const FAIL_TEST_SHARE = 1 / 4;
const SAFE_BOUND_SHARE = 1 / 4;
const SAFE_TEST_SHARE = 1 / 4;

/** A test's numbers that make no sense: the verdict says which field, the judge still answers. */
export function errorRateTestProblem(test: ErrorRateTest): string | undefined {
  if (test === null || typeof test !== "object") return "the test is missing";
  if (!(test.alpha >= 1e-12 && test.alpha < 1)) return `alpha must be between 1e-12 and 1 (got ${test.alpha})`;
  if (!(test.maxRelativeIncrease >= 0) || !Number.isFinite(test.maxRelativeIncrease))
    return `maxRelativeIncrease must be a number >= 0 (got ${test.maxRelativeIncrease})`;
  if (!(test.maxAbsoluteIncrease >= 0 && test.maxAbsoluteIncrease <= 1))
    return `maxAbsoluteIncrease must be between 0 and 1 (got ${test.maxAbsoluteIncrease})`;
  if (!(test.minRequests >= 0) || !Number.isFinite(test.minRequests))
    return `minRequests must be a number >= 0 (got ${test.minRequests})`;
  return undefined;
}

/** The judge's running state: a fold over increments (benches step it directly, one look at a time). */
export interface ErrorRateState {
  readonly test: ErrorRateTest;
  readonly ratioFail: EProcess;
  readonly absFail: EProcess;
  readonly ratioRel: EProcess;
  readonly ratioSafe: EProcess;
  readonly absSafe: EProcess;
  totals: { canary: RevisionCounts; baseline: RevisionCounts };
  decided?: "Successful" | "Failed";
  /** Counters went backwards at least once: evidence stays, but it never promotes. */
  restarted: boolean;
}

/** A fresh state for a valid test (check {@link errorRateTestProblem} first). */
export function startErrorRate(test: ErrorRateTest): ErrorRateState {
  return {
    test,
    ratioFail: newEProcess("up"),
    absFail: newEProcess("up"),
    ratioRel: newEProcess("up"),
    ratioSafe: newEProcess("down"),
    absSafe: newEProcess("down"),
    totals: { canary: { requests: 0, errors: 0 }, baseline: { requests: 0, errors: 0 } },
    restarted: false,
  };
}

/** ln of the evidence for "regression", scaled so that it compares with ln(1/α). */
export function failLog(s: ErrorRateState): number {
  const second = Math.min(logEvidence(s.absFail), logEvidence(s.ratioRel));
  return Math.log(FAIL_TEST_SHARE) + Math.max(logEvidence(s.ratioFail), second);
}

/** ln of the evidence for "no regression", scaled so that it compares with ln(1/α). */
export function safeLog(s: ErrorRateState): number {
  return Math.log(SAFE_TEST_SHARE) + Math.max(logEvidence(s.ratioSafe), logEvidence(s.absSafe));
}

/** Feed one trusted increment (counts gained between two looks); a decided state stays as it is. */
export function stepErrorRate(s: ErrorRateState, canary: RevisionCounts, baseline: RevisionCounts): void {
  if (s.decided !== undefined) return;
  const { alpha, maxRelativeIncrease: rel, maxAbsoluteIncrease: abs } = s.test;
  const before = s.totals.baseline;
  const failBound = rateConfidence(before.errors, before.requests, alpha * FAIL_BOUND_SHARE);
  const safeBound = rateConfidence(before.errors, before.requests, alpha * SAFE_BOUND_SHARE);
  const failRatio = 1 + Math.max(rel, failBound.lower > 0 ? abs / failBound.lower : Number.POSITIVE_INFINITY);
  const safeRatio = 1 + Math.max(rel, abs / safeBound.upper);
  addSplit(s.ratioFail, canary.errors, baseline.errors, canary.requests, baseline.requests, failRatio);
  addSplit(s.ratioRel, canary.errors, baseline.errors, canary.requests, baseline.requests, 1 + rel);
  addSplit(s.ratioSafe, canary.errors, baseline.errors, canary.requests, baseline.requests, safeRatio);
  addBernoulli(s.absFail, canary.errors, canary.requests, Math.max(failBound.upper * (1 + rel), failBound.upper + abs));
  addBernoulli(s.absSafe, canary.errors, canary.requests, safeBound.lower + abs);
  const t = s.totals;
  t.canary = { requests: t.canary.requests + canary.requests, errors: t.canary.errors + canary.errors };
  t.baseline = { requests: t.baseline.requests + baseline.requests, errors: t.baseline.errors + baseline.errors };
  const limit = Math.log(1 / alpha);
  if (failLog(s) >= limit) s.decided = "Failed";
  else if (!s.restarted && t.canary.requests >= s.test.minRequests && safeLog(s) >= limit) s.decided = "Successful";
}

/** Judge the canary's error rate against the baseline's from cumulative count looks. */
export function judgeErrorRate(looks: readonly CountLook[], test: ErrorRateTest): JudgeVerdict {
  const problem = errorRateTestProblem(test);
  if (problem !== undefined) return inconclusive(`error-rate test not judged: ${problem}`, test?.alpha);
  const s = startErrorRate(test);
  const { increments, problems } = countIncrements(looks);
  // A restart anywhere forbids promotion on these looks, even before it (the caller should start over).
  s.restarted = problems.restarts > 0;
  for (const inc of increments) stepErrorRate(s, inc.canary, inc.baseline);
  return errorRateVerdict(s, problems);
}

function inconclusive(reason: string, alpha: unknown): JudgeVerdict {
  const a = typeof alpha === "number" && alpha >= 1e-12 && alpha < 1 ? alpha : 0.01;
  return {
    outcome: "Inconclusive",
    evidence: 1,
    threshold: 1 / a,
    effect: { estimate: 0, lower: -1, upper: 1, unit: "points" },
    canary: { requests: 0, errors: 0 },
    baseline: { requests: 0, errors: 0 },
    explanation: reason,
  };
}

/** The verdict for a state, with its explanation (computed only when a caller needs it). */
export function errorRateVerdict(
  s: ErrorRateState,
  problems: { invalid: number; restarts: number } = { invalid: 0, restarts: 0 },
): JudgeVerdict {
  const { test, decided } = s;
  const failLogValue = failLog(s);
  const safeLogValue = safeLog(s);
  const { canary, baseline } = s.totals;
  const rc = canary.requests > 0 ? canary.errors / canary.requests : 0;
  const rb = baseline.requests > 0 ? baseline.errors / baseline.requests : 0;
  const cc = rateConfidence(canary.errors, canary.requests, test.alpha / 2);
  const cb = rateConfidence(baseline.errors, baseline.requests, test.alpha / 2);
  const effect = { estimate: rc - rb, lower: cc.lower - cb.upper, upper: cc.upper - cb.lower, unit: "points" as const };
  const threshold = 1 / test.alpha;
  const evidence = Math.exp(failLogValue);
  const outcome: JudgeOutcome =
    decided ?? (problems.restarts > 0 && canary.requests === 0 ? "Inconclusive" : "Running");
  const head =
    canary.requests === 0
      ? `no canary requests yet (baseline ${count(baseline.requests)})`
      : `canary error rate ${percent(rc)} vs baseline ${percent(rb)} (${points(effect.estimate)} pts, ` +
        `${confidenceText(test.alpha)} CI ${points(effect.lower)} to ${points(effect.upper)}) ` +
        `after ${count(canary.requests)} canary requests`;
  const limit = Math.log(threshold);
  let tail: string;
  let moreRequests: number | undefined;
  if (outcome === "Failed") tail = `evidence ${evidenceText(evidence)} > 1/α = ${thresholdText(test.alpha)}: Failed`;
  else if (outcome === "Successful")
    tail = `evidence of no regression ${evidenceText(Math.exp(safeLogValue))} > 1/α = ${thresholdText(test.alpha)}: Successful`;
  else {
    moreRequests = estimateMore(failLogValue, safeLogValue, limit, canary.requests, test.minRequests);
    tail =
      `evidence ${evidenceText(evidence)} (regression) and ${evidenceText(Math.exp(safeLogValue))} (no regression) ` +
      `of 1/α = ${thresholdText(test.alpha)}: ${outcome}`;
    if (moreRequests !== undefined) tail += `, about ${count(moreRequests)} more canary requests`;
  }
  const notes: string[] = [];
  if (problems.restarts > 0)
    notes.push(`counters went backwards ${problems.restarts}× (a restart?): never promoted on these looks`);
  if (problems.invalid > 0) notes.push(`${problems.invalid} look(s) with impossible counts skipped`);
  return {
    outcome,
    evidence,
    threshold,
    effect,
    canary: { requests: canary.requests, errors: canary.errors },
    baseline: { requests: baseline.requests, errors: baseline.errors },
    ...(moreRequests !== undefined ? { moreRequests } : {}),
    explanation: [`${head}; ${tail}`, ...notes].join("; "),
  };
}

/**
 * Canary requests still needed, if the evidence keeps growing at the pace it has so far (ln e-value
 * per canary request). A rough guide for status, not a promise: undefined until a pace is visible.
 */
export function estimateMore(
  failLog: number,
  safeLog: number,
  limit: number,
  canaryRequests: number,
  minRequests: number,
): number | undefined {
  if (!(canaryRequests > 0)) return undefined;
  const candidates: number[] = [];
  for (const [log, floor] of [
    [failLog, 0],
    [safeLog, minRequests - canaryRequests],
  ] as const) {
    const pace = log / canaryRequests;
    if (pace > 0 && Number.isFinite(pace)) candidates.push(Math.max(Math.ceil((limit - log) / pace), floor, 0));
  }
  if (candidates.length === 0) return undefined;
  const more = Math.min(...candidates);
  return Number.isFinite(more) && more <= 1e12 ? more : undefined;
}
