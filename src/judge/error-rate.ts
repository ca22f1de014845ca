import { differenceInterval } from "./difference-interval.js";
import { addSplit, type EProcess, logEvidence, newEProcess } from "./eprocess.js";
import { confidenceText, count, evidenceText, percent, points, thresholdText } from "./explain.js";
import { logJointEvidence } from "./joint.js";
import { countIncrements } from "./looks.js";
import { rateConfidence } from "./math.js";
import type { CountLook, ErrorRateTest, JudgeOutcome, JudgeVerdict, RevisionCounts } from "./types.js";

/*
 * The error-rate judge. A regression is "canary worse than baseline by more than BOTH tolerances":
 * r_c > g(r_b) = max(r_b·(1 + rel), r_b + abs).
 *
 * Failed (evidence against "harmless") needs both of, each at 1/α:
 *   absolute  all canary errors so far against r_c ≤ r + abs jointly with the baseline's requests
 *             against rate r, the smallest over every r (joint.ts): the baseline's unknown rate costs
 *             no separate share of α, and the data decide how much evidence goes to ruling it out;
 *   ratioRel  errors conditioned on each increment's traffic split, against ρ = r_c/r_b ≤ 1 + rel:
 *             bursts and drift that hit both revisions cancel, so a shared incident cannot roll back.
 *   Harmless is the union of the two nulls (r_c ≤ r_b(1+rel), or r_c ≤ r_b + abs), so showing each
 *   false at α shows harmless false at α, without splitting α (an intersection-union test). Each
 *   route only needs to have crossed once, at any look: for the null that holds, the chance its
 *   evidence EVER reaches 1/α is at most α (Ville), so the two crossings need not coincide. Testing
 *   each part against its own null, not both against max(...), is what makes 1 % → 3 % fast: the
 *   absolute part is far from its edge there, and the split carries the relative part exactly.
 * Successful (evidence against "harmful"), only once canary requests >= minRequests, either of:
 *   joint     the mirror image: canary errors against r_c ≥ g(r), smallest over r;
 *   ratioSafe conditioned on the split, against ρ ≥ 1 + max(rel, abs/U_b), U_b a time-uniform upper
 *             bound on the baseline's rate from earlier looks (predictable): the route that keeps
 *             working when both revisions' rates drift over the day.
 *   α budget: the bound α/10, each route 0.45α.
 * Crossings are checked in look order, so Failed (or Successful) on a prefix stays: later looks
 * cannot undo it.
 */

const BOUND_SHARE = 0.1;
const SAFE_TEST_SHARE = 0.45;

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
  readonly ratioRel: EProcess;
  readonly ratioSafe: EProcess;
  /** The baseline rate's confidence sequence from earlier looks (running intersection), for ratioSafe. */
  baselineBound: { lower: number; upper: number };
  totals: { canary: RevisionCounts; baseline: RevisionCounts };
  /** Highest ln evidence each Failed route has reached so far (a route that crossed 1/α stays crossed). */
  failPeak: { absolute: number; ratio: number };
  decided?: "Successful" | "Failed";
  /** Counters went backwards at least once: evidence stays, but it never promotes. */
  restarted: boolean;
}

/** A fresh state for a valid test (check {@link errorRateTestProblem} first). */
export function startErrorRate(test: ErrorRateTest): ErrorRateState {
  return {
    test,
    ratioRel: newEProcess("up"),
    ratioSafe: newEProcess("down"),
    baselineBound: { lower: 0, upper: 1 },
    failPeak: { absolute: 0, ratio: 0 },
    totals: { canary: { requests: 0, errors: 0 }, baseline: { requests: 0, errors: 0 } },
    restarted: false,
  };
}

/** The highest canary error rate still harmless for a baseline rate: max(r·(1+rel), r + abs). */
function tolerated(test: ErrorRateTest, baselineRate: number): number {
  return Math.max(baselineRate * (1 + test.maxRelativeIncrease), baselineRate + test.maxAbsoluteIncrease);
}

/**
 * The joint evidence over the baseline's unknown rate: "up" against the absolute part of the
 * tolerance alone (r_c ≤ r_b + abs; the split carries the relative part), "down" against the whole
 * tolerance (r_c ≥ g(r_b)).
 */
function jointLog(s: ErrorRateState, direction: "up" | "down"): number {
  const { canary, baseline } = s.totals;
  const abs = s.test.maxAbsoluteIncrease;
  return logJointEvidence(
    direction,
    { hits: canary.errors, trials: canary.requests },
    { hits: baseline.errors, trials: baseline.requests },
    direction === "up" ? (r) => r + abs : (r) => tolerated(s.test, r),
    direction === "up" ? absoluteRouteCap(s.test) : 1,
  );
}

/**
 * The baseline rates the absolute route must cover. Where the relative null fails (r_c > r_b(1+rel))
 * but the absolute one holds (r_c ≤ r_b + abs), r_b·rel < abs: the baseline rate is below abs/rel.
 * Above it, a harmless canary is within the relative null, which the split already guards; so the
 * joint search stops there and no baseline rate the data cannot rule out yet costs evidence.
 */
function absoluteRouteCap(test: ErrorRateTest): number {
  return test.maxRelativeIncrease > 0 ? test.maxAbsoluteIncrease / test.maxRelativeIncrease : 1;
}

/** ln of the evidence for "regression" (the weaker route's best so far), compared with ln(1/α). */
export function failLog(s: ErrorRateState): number {
  return Math.min(s.failPeak.absolute, s.failPeak.ratio);
}

/** ln of the evidence for "no regression", scaled so that it compares with ln(1/α). */
export function safeLog(s: ErrorRateState): number {
  return Math.log(SAFE_TEST_SHARE) + Math.max(jointLog(s, "down"), logEvidence(s.ratioSafe));
}

/** Feed one trusted increment (counts gained between two looks); a decided state stays as it is. */
export function stepErrorRate(s: ErrorRateState, canary: RevisionCounts, baseline: RevisionCounts): void {
  if (s.decided !== undefined) return;
  const { alpha, maxRelativeIncrease: rel, maxAbsoluteIncrease: abs } = s.test;
  addSplit(s.ratioRel, canary.errors, baseline.errors, canary.requests, baseline.requests, 1 + rel);
  // ratioSafe's null uses the baseline bound from earlier looks only (predictable): this increment's
  // baseline errors are part of what the split conditions on.
  const safeRatio = 1 + Math.max(rel, abs / s.baselineBound.upper);
  addSplit(s.ratioSafe, canary.errors, baseline.errors, canary.requests, baseline.requests, safeRatio);
  const t = s.totals;
  t.canary = { requests: t.canary.requests + canary.requests, errors: t.canary.errors + canary.errors };
  t.baseline = { requests: t.baseline.requests + baseline.requests, errors: t.baseline.errors + baseline.errors };
  const now = rateConfidence(t.baseline.errors, t.baseline.requests, alpha * BOUND_SHARE);
  s.baselineBound = {
    lower: Math.max(s.baselineBound.lower, now.lower),
    upper: Math.min(s.baselineBound.upper, now.upper),
  };
  const limit = Math.log(1 / alpha);
  const peak = s.failPeak;
  peak.ratio = Math.max(peak.ratio, logEvidence(s.ratioRel));
  // The joint evidence costs a walk over candidate rates: once it has crossed, it need not be walked again.
  if (peak.absolute < limit) peak.absolute = Math.max(peak.absolute, jointLog(s, "up"));
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
  // The interval comes from the same joint evidence the verdict does, so a Failed verdict's
  // interval does not reach below zero merely because two revisions' own intervals were added.
  const ci = differenceInterval(
    { hits: canary.errors, trials: canary.requests },
    { hits: baseline.errors, trials: baseline.requests },
    test.alpha,
  );
  const effect = { estimate: rc - rb, lower: ci.lower, upper: ci.upper, unit: "points" as const };
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
