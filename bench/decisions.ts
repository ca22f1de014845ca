/**
 * Decision quality of canary analysis policies on simulated traffic (issue 13): how often each policy
 * promotes, rolls back or stays undecided, how many canary requests and seconds it takes, and how many
 * user requests fail on the canary meanwhile. Every policy sees the same seeded traffic.
 *
 *   npx tsx bench/decisions.ts [--runs 1000] [--seed 13] [--markdown] [--only name]
 *                              [--relative 0.1] [--absolute 0.005]   (the judge's error-rate tolerance)
 *   npx tsx bench/decisions.ts --live [--live-rounds 3] [--runs 1000]
 *     two error scenarios through a real `sluice up` and router, beside the same judge simulated
 */
import { parseArgs } from "node:util";
import {
  ARGO,
  type Decision,
  FLAGGER,
  JUDGE,
  judgePolicy,
  type Policy,
  SLUICE_DOCS,
  sprtPolicy,
  thresholdPolicy,
} from "./lib/decision-policies.js";
import { type RevisionModel, slowerShare, traffic } from "./lib/decision-traffic.js";
import { type LiveResult, type LiveScenario, liveRound } from "./lib/decisions-live.js";
import { describeMachine } from "./lib/machine.js";
import { seeded } from "./lib/random.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "1000" },
    seed: { type: "string", default: "13" },
    markdown: { type: "boolean", default: false },
    only: { type: "string" },
    live: { type: "boolean", default: false },
    "live-rounds": { type: "string", default: "3" },
    relative: { type: "string", default: String(JUDGE.errorRate.maxRelativeIncrease) },
    absolute: { type: "string", default: String(JUDGE.errorRate.maxAbsoluteIncrease) },
  },
});
const RUNS = Number(values.runs);
const SEED = Number(values.seed);

type Should = "promote" | "roll back" | "either";
interface Scenario {
  name: string;
  should: Should;
  canary: RevisionModel;
  baseline: RevisionModel;
  /** The SPRT's known rates: errors, or requests slower than 100 ms. */
  sprt: { p0: number; p1: number; slowerThan?: number };
}

const CANARY_RPS = 10;
const BASELINE_RPS = 90;
const steady = (rps: number, errors: number, latencyFactor = 1): RevisionModel => ({
  rate: () => rps,
  errorRate: () => errors,
  latencyFactor,
});
/** Harm boundary for an identical canary: what the judge is told to tolerate, the SPRT's H1. */
const TOLERANCE = { maxRelativeIncrease: Number(values.relative), maxAbsoluteIncrease: Number(values.absolute) };
const tolerated = (p: number) => Math.max(p * (1 + TOLERANCE.maxRelativeIncrease), p + TOLERANCE.maxAbsoluteIncrease);
const identical = (p: number): Scenario => ({
  name: `identical, ${p * 100}% errors`,
  should: "promote",
  canary: steady(CANARY_RPS, p),
  baseline: steady(BASELINE_RPS, p),
  sprt: { p0: p, p1: tolerated(p) },
});
const worse = (from: number, to: number, should: Should = "roll back"): Scenario => ({
  name: `errors ${from * 100}% → ${to * 100}%`,
  should,
  canary: steady(CANARY_RPS, to),
  baseline: steady(BASELINE_RPS, from),
  // The same tolerance as the judge, the rates known: H0 at the tolerated edge, H1 the truth.
  sprt: to > tolerated(from) ? { p0: tolerated(from), p1: to } : { p0: from, p1: tolerated(from) },
});
const slower = (factor: number): Scenario => ({
  name: `latency p95 +${Math.round((factor - 1) * 100)}%`,
  should: "roll back",
  canary: steady(CANARY_RPS, 0.005, factor),
  baseline: steady(BASELINE_RPS, 0.005),
  // Requests slower than 100 ms (near the baseline's p95): H0 at the tolerated +10 %, H1 the truth.
  sprt: { p0: slowerShare(0.1, 1 + JUDGE.latency.maxRelativeIncrease), p1: slowerShare(0.1, factor), slowerThan: 0.1 },
});
/** A day compressed into 20 minutes: traffic and error rate swing together in both revisions. */
const DAY = 1200;
const daily = (t: number) => Math.sin((2 * Math.PI * t) / DAY);
const drifting = (share: number): RevisionModel => ({
  rate: (t) => 100 * share * (1 + 0.8 * daily(t)),
  errorRate: (t) => 0.01 * (1 + 0.9 * daily(t + 300)),
  latencyFactor: 1,
});
/** 3 % of 10-second ticks are an incident hitting both revisions: 30 % errors. */
const bursty = (rps: number): RevisionModel => ({
  rate: () => rps,
  errorRate: (_t, shared) => (shared() < 0.03 ? 0.3 : 0.005),
  latencyFactor: 1,
});

const SCENARIOS: Scenario[] = [
  identical(0.001),
  identical(0.01),
  identical(0.05),
  worse(0.005, 0.04),
  worse(0.01, 0.03),
  worse(0.01, 0.015, "either"),
  slower(1.2),
  slower(1.6),
  {
    name: "2 req/s in all (canary 20 %), 0.5% → 4%",
    should: "roll back",
    canary: steady(0.4, 0.04),
    baseline: steady(1.6, 0.005),
    sprt: { p0: tolerated(0.005), p1: 0.04 },
  },
  {
    name: "daily drift in both, identical",
    should: "promote",
    canary: drifting(0.1),
    baseline: drifting(0.9),
    sprt: { p0: 0.01, p1: tolerated(0.01) },
  },
  {
    name: "error bursts in both, identical",
    should: "promote",
    canary: bursty(CANARY_RPS),
    baseline: bursty(BASELINE_RPS),
    sprt: { p0: 0.005 + 0.03 * 0.3, p1: tolerated(0.005 + 0.03 * 0.3) },
  },
];

const POLICIES: { name: string; make: (s: Scenario) => Policy }[] = [
  { name: "Sluice judge (α 1%)", make: () => judgePolicy(TOLERANCE) },
  { name: "Argo-style (30 s, ≥95%, failureLimit 2)", make: () => thresholdPolicy(ARGO) },
  { name: "Flagger-style (60 s, ≥99%, threshold 5)", make: () => thresholdPolicy(FLAGGER) },
  { name: "Sluice docs threshold (10 s, 30 s window, count 3)", make: () => thresholdPolicy(SLUICE_DOCS) },
  { name: "Wald SPRT, rates known (α 1%, β 5%)", make: (s) => sprtPolicy(s.sprt.p0, s.sprt.p1, s.sprt.slowerThan) },
];

interface Result extends Decision {
  failedUserRequests: number;
}

function runScenario(s: Scenario, runSeed: number): Result[] {
  const rand = seeded(runSeed);
  const policies = POLICIES.map((p) => p.make(s));
  const results: (Result | undefined)[] = POLICIES.map(() => undefined);
  const failed = POLICIES.map(() => 0);
  let last: Decision = { outcome: "undecided", seconds: 0, canaryRequests: 0 };
  for (const tick of traffic(rand, s.canary, s.baseline, JUDGE.maxSeconds)) {
    let open = false;
    policies.forEach((p, i) => {
      if (results[i]) return;
      failed[i] = (failed[i] as number) + tick.canary.errors;
      const d = p.step(tick);
      if (d) results[i] = { ...d, failedUserRequests: failed[i] as number };
      else open = true;
    });
    last = { outcome: "undecided", seconds: tick.t, canaryRequests: 0 };
    if (!open) break;
  }
  return results.map((r, i) => r ?? { ...last, failedUserRequests: failed[i] as number });
}

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}
const pct = (k: number, n: number) => `${((100 * k) / n).toFixed(1)}%`;
const num = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "–");

function table(s: Scenario, all: Result[][]): string {
  const rows = POLICIES.map((p, i) => {
    const rs = all.map((r) => r[i] as Result);
    const decided = rs.filter((r) => r.outcome !== "undecided");
    const count = (o: string) => rs.filter((r) => r.outcome === o).length;
    return [
      p.name,
      pct(count("promote"), rs.length),
      pct(count("rollback"), rs.length),
      pct(count("undecided"), rs.length),
      `${num(
        quantile(
          decided.map((r) => r.canaryRequests),
          0.5,
        ),
      )} / ${num(
        quantile(
          decided.map((r) => r.canaryRequests),
          0.95,
        ),
      )}`,
      `${num(
        quantile(
          decided.map((r) => r.seconds),
          0.5,
        ),
      )} / ${num(
        quantile(
          decided.map((r) => r.seconds),
          0.95,
        ),
      )}`,
      `${num(
        quantile(
          rs.map((r) => r.failedUserRequests),
          0.5,
        ),
      )} / ${num(
        quantile(
          rs.map((r) => r.failedUserRequests),
          0.95,
        ),
      )}`,
    ];
  });
  const head = [
    "Policy",
    "Promote",
    "Roll back",
    "Undecided",
    "Canary requests to decide (median / p95)",
    "Seconds (median / p95)",
    "Failed canary requests (median / p95)",
  ];
  const lines = [head, head.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`);
  return [`${values.markdown ? "#### " : ""}${s.name} (should ${s.should})`, "", ...lines, ""].join("\n");
}

/** Live: 200 req/s in all, canary at 50 %, a look every second; the simulation uses the same traffic and looks. */
const LIVE_RPS = 200;
const LIVE_MAX_SECONDS = 240;
const LIVE: LiveScenario[] = [
  { name: "identical, 0.1% errors", stableErrorRate: 0.001, canaryErrorRate: 0.001 },
  { name: "errors 0.5% → 4%", stableErrorRate: 0.005, canaryErrorRate: 0.04 },
];

function summary(rs: { outcome: string; canaryRequests: number; seconds: number }[]): string[] {
  const count = (o: string) => rs.filter((r) => r.outcome === o).length;
  const decided = rs.filter((r) => r.outcome !== "undecided");
  return [
    `${count("promote")} / ${count("rollback")} / ${count("undecided")}`,
    `${num(
      quantile(
        decided.map((r) => r.canaryRequests),
        0.5,
      ),
    )} (${num(Math.min(...decided.map((r) => r.canaryRequests)))}–${num(Math.max(...decided.map((r) => r.canaryRequests)))})`,
    `${num(
      quantile(
        decided.map((r) => r.seconds),
        0.5,
      ),
    )}`,
  ];
}

async function live(): Promise<void> {
  const rounds = Number(values["live-rounds"]);
  const head = [
    "Scenario",
    "Mode",
    "Runs",
    "Promote / roll back / undecided",
    "Canary requests to decide: median (range)",
    "Seconds (median)",
  ];
  const rows: string[][] = [];
  for (const [k, s] of LIVE.entries()) {
    const results: LiveResult[] = [];
    for (let r = 0; r < rounds; r++) {
      const res = await liveRound(s, TOLERANCE, LIVE_RPS, LIVE_MAX_SECONDS);
      console.error(
        `live ${s.name} #${r + 1}: ${res.outcome} after ${res.canaryRequests} canary requests: ${res.explanation}`,
      );
      results.push(res);
    }
    const sim: Decision[] = [];
    const half = LIVE_RPS / 2;
    for (let r = 0; r < RUNS; r++) {
      const rand = seeded(SEED * 7_919 + k * 104_729 + r);
      // The live template judges the error rate alone, with the whole α: so does its simulation.
      const judge = judgePolicy(TOLERANCE, true);
      let d: Decision | undefined;
      for (const tick of traffic(
        rand,
        steady(half, s.canaryErrorRate),
        steady(half, s.stableErrorRate),
        LIVE_MAX_SECONDS,
        1,
      )) {
        d = judge.step(tick);
        if (d) break;
      }
      sim.push(d ?? { outcome: "undecided", seconds: LIVE_MAX_SECONDS, canaryRequests: 0 });
    }
    rows.push([s.name, "live (sluice up, real router)", String(rounds), ...summary(results)]);
    rows.push([s.name, "simulated, same traffic", String(RUNS), ...summary(sim)]);
  }
  const lines = [head, head.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`);
  console.log(
    `Live: ${LIVE_RPS} req/s in all, canary at 50 % weight, a look every second, judge tolerance +${TOLERANCE.maxRelativeIncrease * 100}% and +${TOLERANCE.maxAbsoluteIncrease * 100} pts\n`,
  );
  console.log(lines.join("\n"));
}

if (values.live) {
  await live();
  process.exit(0);
}

const started = performance.now();
const machine = describeMachine();
console.log(
  `bench/decisions.ts: ${RUNS} runs per scenario, seed ${SEED}; canary ${CANARY_RPS} req/s vs stable baseline ${BASELINE_RPS} req/s ` +
    `unless stated; a look every 10 s; judge bound ${JUDGE.maxSeconds / 60} min, error tolerance +${TOLERANCE.maxRelativeIncrease * 100}% and ` +
    `+${TOLERANCE.maxAbsoluteIncrease * 100} pts; ${machine.nproc} cores, ${machine.cpu}, Node ${machine.node}\n`,
);
for (const [k, s] of SCENARIOS.entries()) {
  if (values.only && !s.name.includes(values.only)) continue;
  const all: Result[][] = [];
  for (let r = 0; r < RUNS; r++) all.push(runScenario(s, SEED * 1_000_003 + k * 10_007 + r));
  console.log(table(s, all));
}
console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
