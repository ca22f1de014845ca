/**
 * How much of the judge's detection time is the price of not knowing the baseline (issue 13's
 * "at most 1.5 × the SPRT's N"): the same simulated traffic as bench/decisions.ts, judged by tests
 * that are told more than the judge is, each at the α/2 a metric gets when a rollout judges two.
 *
 *   npx tsx bench/decisions-oracles.ts [--runs 1000] [--seed 31]
 *
 * Errors: "told the baseline's rate" is the judge's mixture evidence of the canary's errors against
 * the tolerated rate at the baseline's TRUE rate; "split told the ratio" is the traffic-split
 * evidence with its one alternative at the true ratio. Latency: the canary's requests slower than
 * 1.1 × the baseline's TRUE p95, with the judge's log-normal bucket reading and latency mixture.
 */
import { parseArgs } from "node:util";
import { alternativeGrid, logBernoulliEvidence } from "../src/judge/eprocess.js";
import { shapedSlowerThan } from "../src/judge/latency.js";
import { JUDGE } from "./lib/decision-policies.js";
import { LE, MEDIAN_SECONDS, type RevisionModel, SIGMA, traffic } from "./lib/decision-traffic.js";
import { seeded } from "./lib/random.js";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "1000" }, seed: { type: "string", default: "31" } },
});
const RUNS = Number(values.runs);
const SEED = Number(values.seed);
const LIMIT = Math.log(2 / JUDGE.alpha);
const { maxRelativeIncrease: REL, maxAbsoluteIncrease: ABS } = JUDGE.errorRate;
const tolerated = (p: number) => Math.max(p * (1 + REL), p + ABS);
/** The judge's latency grid (src/judge/latency.ts), written out: steps and weights. */
const LATENCY_GRID = alternativeGrid([0.15, 0.25, 0.35, 0.5, 0.7, 1, 1.5, 3], [2, 3, 3, 3, 2, 1, 1, 1]);
const steady = (rps: number, errors: number, latencyFactor = 1): RevisionModel => ({
  rate: () => rps,
  errorRate: () => errors,
  latencyFactor,
});
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const num = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "never");

const rows: string[][] = [];
for (const [k, [name, canary, baseline, canaryRps, baselineRps]] of (
  [
    ["errors 0.5% → 4%", 0.04, 0.005, 10, 90],
    ["errors 1% → 3%", 0.03, 0.01, 10, 90],
    ["2 req/s in all, 0.5% → 4%", 0.04, 0.005, 0.4, 1.6],
  ] as const
).entries()) {
  const known: number[] = [];
  const split: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const rand = seeded(SEED * 1_000_003 + k * 10_007 + r);
    let errors = 0;
    let requests = 0;
    let splitLog = 0;
    let knownAt = Number.POSITIVE_INFINITY;
    let splitAt = Number.POSITIVE_INFINITY;
    const ratio0 = 1 + REL;
    const ratio1 = canary / baseline;
    for (const t of traffic(rand, steady(canaryRps, canary), steady(baselineRps, baseline), JUDGE.maxSeconds)) {
      errors += t.canary.errors;
      requests += t.canary.requests;
      if (t.canary.errors + t.baseline.errors > 0 && t.canary.requests > 0 && t.baseline.requests > 0) {
        const share = (x: number) => (t.canary.requests * x) / (t.canary.requests * x + t.baseline.requests);
        splitLog +=
          t.canary.errors * Math.log(share(ratio1) / share(ratio0)) +
          t.baseline.errors * Math.log((1 - share(ratio1)) / (1 - share(ratio0)));
      }
      if (
        knownAt === Number.POSITIVE_INFINITY &&
        logBernoulliEvidence("up", errors, requests, tolerated(baseline)) >= LIMIT
      )
        knownAt = requests;
      if (splitAt === Number.POSITIVE_INFINITY && splitLog >= LIMIT) splitAt = requests;
      if (knownAt < Number.POSITIVE_INFINITY && splitAt < Number.POSITIVE_INFINITY) break;
    }
    known.push(knownAt);
    split.push(splitAt);
  }
  rows.push([name, num(median(known)), num(median(split))]);
}
const trueP95 = MEDIAN_SECONDS * Math.exp(SIGMA * 1.6448536);
for (const [k, factor] of [1.2, 1.6].entries()) {
  const known: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const rand = seeded(SEED * 7_919 + k * 104_729 + r);
    const bins = LE.map(() => 0);
    let requests = 0;
    let at = Number.POSITIVE_INFINITY;
    for (const t of traffic(rand, steady(10, 0, factor), steady(90, 0), JUDGE.maxSeconds)) {
      t.canary.bins.forEach((b, i) => {
        bins[i] = (bins[i] as number) + b;
      });
      requests += t.canary.requests;
      let run = 0;
      const h = { les: LE, counts: bins.map((b) => (run += b)) };
      const slower = shapedSlowerThan(h, (1 + JUDGE.latency.maxRelativeIncrease) * trueP95);
      if (logBernoulliEvidence("up", slower, requests, 1 - JUDGE.latency.quantile, LATENCY_GRID) >= LIMIT) {
        at = requests;
        break;
      }
    }
    known.push(at);
  }
  rows.push([`latency p95 +${Math.round((factor - 1) * 100)}%`, num(median(known)), "–"]);
}
const head = ["Scenario", "Told the baseline (rate or p95), α/2", "Split evidence told the true ratio, α/2"];
console.log(
  `bench/decisions-oracles.ts: ${RUNS} runs per scenario, seed ${SEED}; median canary requests to roll back\n`,
);
console.log([head, head.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n"));
