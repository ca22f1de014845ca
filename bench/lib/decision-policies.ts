import { splitAlpha } from "../../src/judge/alpha.js";
import { type ErrorRateState, startErrorRate, stepErrorRate } from "../../src/judge/error-rate.js";
import {
  type Histogram,
  interpolatedQuantile,
  type LatencyState,
  startLatency,
  stepLatency,
} from "../../src/judge/latency.js";
import { LE, type Tick } from "./decision-traffic.js";

/*
 * The policies bench/decisions.ts compares, each a small state machine fed one 10-second tick at a
 * time: threshold analyses as Argo Rollouts, Flagger and Sluice's docs configure them, Sluice's judge,
 * and Wald's SPRT told the true rates (a reference no real policy can reach: it knows the answer's shape).
 */

export type Outcome = "promote" | "rollback" | "undecided";
export interface Decision {
  outcome: Outcome;
  seconds: number;
  canaryRequests: number;
}
export interface Policy {
  /** Feed one tick; a decision ends the run for this policy. */
  step(tick: Tick): Decision | undefined;
}

/** A threshold analysis: every `interval` s, judge the last `window` s of canary traffic against fixed limits. */
export interface ThresholdConfig {
  interval: number;
  window: number;
  initialDelay: number;
  /** Fewer canary requests in the window: Inconclusive (or a failed check when `noDataFails`). */
  minRequests: number;
  successMin: number;
  latency?: { quantile: number; maxSeconds: number };
  /** Roll back when failed measurements of one condition exceed this. */
  failureLimit: number;
  /** Promote after this many measurements (Argo/Sluice `count`) … */
  count?: number;
  /** … or after this many passing checks (Flagger's weight steps). */
  passesToPromote?: number;
  /** Pause (undecided) when inconclusive measurements exceed this. */
  inconclusiveLimit: number;
  noDataFails: boolean;
}

export const ARGO: ThresholdConfig = {
  interval: 30,
  window: 30,
  initialDelay: 0,
  minRequests: 1,
  successMin: 0.95,
  failureLimit: 2,
  count: 10,
  inconclusiveLimit: 0,
  noDataFails: false,
};
export const FLAGGER: ThresholdConfig = {
  interval: 60,
  window: 60,
  initialDelay: 0,
  minRequests: 1,
  successMin: 0.99,
  latency: { quantile: 0.99, maxSeconds: 0.5 },
  failureLimit: 4,
  passesToPromote: 5,
  inconclusiveLimit: Number.POSITIVE_INFINITY,
  noDataFails: true,
};
/** docs/examples/canary-local.yaml's demo-health template, one analysis step. */
export const SLUICE_DOCS: ThresholdConfig = {
  interval: 10,
  window: 30,
  initialDelay: 10,
  minRequests: 50,
  successMin: 0.99,
  latency: { quantile: 0.95, maxSeconds: 0.2 },
  failureLimit: 1,
  count: 3,
  inconclusiveLimit: 2,
  noDataFails: false,
};

function sumBins(a: number[], b: readonly number[]): number[] {
  return a.map((x, i) => x + (b[i] as number));
}
function cumulative(bins: readonly number[]): Histogram {
  let run = 0;
  return { les: LE, counts: bins.map((b) => (run += b)) };
}

export function thresholdPolicy(c: ThresholdConfig): Policy {
  const recent: Tick[] = [];
  let canaryRequests = 0;
  let measurements = 0;
  let passes = 0;
  let inconclusive = 0;
  const failures = { success: 0, latency: 0 };
  return {
    step(tick) {
      canaryRequests += tick.canary.requests;
      recent.push(tick);
      while (recent.length > c.window / 10) recent.shift();
      const t = tick.t;
      if (t < c.initialDelay || (t - c.initialDelay) % c.interval !== 0) return undefined;
      if (c.initialDelay === 0 && t < c.interval) return undefined;
      measurements++;
      let n = 0;
      let e = 0;
      let bins = LE.map(() => 0);
      for (const r of recent) {
        n += r.canary.requests;
        e += r.canary.errors;
        bins = sumBins(bins, r.canary.bins);
      }
      const decide = (outcome: Outcome): Decision => ({ outcome, seconds: t, canaryRequests });
      if (n < c.minRequests) {
        if (c.noDataFails) failures.success++;
        else inconclusive++;
      } else {
        if ((n - e) / n < c.successMin) failures.success++;
        if (c.latency) {
          const q = interpolatedQuantile(cumulative(bins), c.latency.quantile) ?? 0;
          if (q > c.latency.maxSeconds) failures.latency++;
        }
        const passed = (n - e) / n >= c.successMin;
        if (passed) passes++;
      }
      if (failures.success > c.failureLimit || failures.latency > c.failureLimit) return decide("rollback");
      if (inconclusive > c.inconclusiveLimit) return decide("undecided");
      if (c.passesToPromote !== undefined && passes >= c.passesToPromote) return decide("promote");
      if (c.count !== undefined && measurements >= c.count) return decide("promote");
      return undefined;
    },
  };
}

/** The judge's settings in the bench (the product's defaults): α 1 % for the rollout, shared by its two metrics. */
export const JUDGE = {
  alpha: 0.01,
  errorRate: { maxRelativeIncrease: 0.75, maxAbsoluteIncrease: 0.005 },
  latency: { quantile: 0.95, maxRelativeIncrease: 0.1 },
  minRequests: 100,
  /** The bound: past it the user's chosen outcome applies (here: counted as undecided). */
  maxSeconds: 1800,
};

/**
 * Sluice's judge: both metrics every look (10 s); Failed if either fails, Successful when both pass.
 * `errorsOnly` judges the error rate alone with the whole α, as the live mode's template does.
 */
export function judgePolicy(errorRate = JUDGE.errorRate, errorsOnly = false): Policy {
  const alpha = splitAlpha(JUDGE.alpha, errorsOnly ? 1 : 2);
  const errors: ErrorRateState = startErrorRate({ alpha, ...errorRate, minRequests: JUDGE.minRequests });
  const latency: LatencyState = startLatency({ alpha, ...JUDGE.latency, minRequests: JUDGE.minRequests });
  let canaryRequests = 0;
  return {
    step(tick) {
      canaryRequests += tick.canary.requests;
      const c = tick.canary;
      const b = tick.baseline;
      stepErrorRate(errors, { requests: c.requests, errors: c.errors }, { requests: b.requests, errors: b.errors });
      stepLatency(latency, cumulative(c.bins), cumulative(b.bins));
      const decide = (outcome: Outcome): Decision => ({ outcome, seconds: tick.t, canaryRequests });
      if (errors.decided === "Failed" || (!errorsOnly && latency.decided === "Failed")) return decide("rollback");
      if (errors.decided === "Successful" && (errorsOnly || latency.decided === "Successful")) return decide("promote");
      if (tick.t >= JUDGE.maxSeconds) return decide("undecided");
      return undefined;
    },
  };
}

/**
 * Wald's SPRT on canary requests with the rates known: "bad" events (errors, or requests slower than
 * `slowerThan` seconds) at p0 (harmless) against p1; α 1 %, β 5 % as in issue 13's table.
 */
export function sprtPolicy(p0: number, p1: number, slowerThan?: number, alpha = 0.01, beta = 0.05): Policy {
  const upper = Math.log((1 - beta) / alpha);
  const lower = Math.log(beta / (1 - alpha));
  const slowIndex = slowerThan === undefined ? -1 : LE.indexOf(slowerThan);
  let llr = 0;
  let canaryRequests = 0;
  return {
    step(tick) {
      const n = tick.canary.requests;
      canaryRequests += n;
      const bad = slowIndex < 0 ? tick.canary.errors : tick.canary.bins.slice(slowIndex + 1).reduce((a, b) => a + b, 0);
      llr += bad * Math.log(p1 / p0) + (n - bad) * Math.log((1 - p1) / (1 - p0));
      const decide = (outcome: Outcome): Decision => ({ outcome, seconds: tick.t, canaryRequests });
      if (llr >= upper) return decide("rollback");
      if (llr <= lower) return decide("promote");
      if (tick.t >= JUDGE.maxSeconds) return decide("undecided");
      return undefined;
    },
  };
}
