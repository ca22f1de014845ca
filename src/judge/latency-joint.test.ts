import { describe, expect, it } from "vitest";
import { normal, seeded } from "../../bench/lib/random.js";
import { alternativeGrid } from "./eprocess.js";
import { type Histogram, readBuckets, shapedQuantile, shapedSlowerThan, startLatency, stepLatency } from "./latency.js";
import { logLatencyJointEvidence } from "./latency-joint.js";

const LE = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, Number.MAX_VALUE];
const GRID = alternativeGrid([0.15, 0.25, 0.35, 0.5, 0.7, 1, 1.5, 3], [2, 3, 3, 3, 2, 1, 1, 1]);

/** Weighted mixture of Bernoulli likelihood ratios, written out here (steps and weights as GRID). */
function canaryMixture(dir: "up" | "down", hits: number, n: number, p0: number): number {
  const steps = [0.15, 0.25, 0.35, 0.5, 0.7, 1, 1.5, 3];
  const weights = [2, 3, 3, 3, 2, 1, 1, 1];
  let sum = 0;
  steps.forEach((g, j) => {
    const p1 = 1 / (1 + Math.exp(-(Math.log(p0 / (1 - p0)) + (dir === "up" ? g : -g))));
    sum +=
      ((weights[j] as number) / 16) * Math.exp(hits * Math.log(p1 / p0) + (n - hits) * Math.log((1 - p1) / (1 - p0)));
  });
  return Math.log(sum);
}

/** The baseline's two-sided weighted mixture against share p0, written out here. */
function baselineMixture(slow: number, n: number, p0: number): number {
  const steps = [-4, -2.5, -1.5, -0.8, -0.4, -0.2, -0.1, -0.05, -0.025, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.5, 2.5, 4];
  const weights = [3, 1, 1, 0.5, 0.5, 1, 4, 8, 8, 8, 8, 4, 1, 0.5, 0.5, 1, 1, 3];
  const total = weights.reduce((a, b) => a + b, 0);
  let sum = 0;
  steps.forEach((g, j) => {
    const p1 = 1 / (1 + Math.exp(-(Math.log(p0 / (1 - p0)) + g)));
    const ratio = Math.exp(slow * Math.log(p1 / p0) + (n - slow) * Math.log((1 - p1) / (1 - p0)));
    sum += ((weights[j] as number) / total) * ratio;
  });
  return Math.log(sum);
}

/** The infimum over candidate baseline quantiles by brute force, on a fine grid (an independent check). */
function brute(dir: "up" | "down", c: Histogram, b: Histogram, q: number, rel: number): number {
  const nc = c.counts[c.counts.length - 1] as number;
  const nb = b.counts[b.counts.length - 1] as number;
  const mid = shapedQuantile(b, q) as number;
  let inf = Number.POSITIVE_INFINITY;
  for (let k = -6000; k <= 6000; k++) {
    const x = mid * Math.exp(k * 1e-4);
    const v =
      canaryMixture(dir, shapedSlowerThan(c, (1 + rel) * x), nc, 1 - q) +
      baselineMixture(shapedSlowerThan(b, x), nb, 1 - q);
    inf = Math.min(inf, v);
  }
  return inf;
}

function histograms(rand: () => number, factor: number, nc: number, nb: number): [Histogram, Histogram] {
  const c = LE.map(() => 0);
  const b = LE.map(() => 0);
  const record = (h: number[], seconds: number) => {
    for (let i = 0; i < LE.length; i++) if (seconds <= (LE[i] as number)) h[i] = (h[i] as number) + 1;
  };
  for (let i = 0; i < nc; i++) record(c, factor * 0.04 * Math.exp(0.5 * normal(rand)));
  for (let i = 0; i < nb; i++) record(b, 0.04 * Math.exp(0.5 * normal(rand)));
  const toBuckets = (h: number[]) => readBuckets(LE.map((le, i) => ({ le, count: h[i] as number }))) as Histogram;
  return [toBuckets(c), toBuckets(b)];
}

describe("latency evidence over the baseline's unknown quantile", () => {
  it("is a lower bound of the infimum over candidate quantiles, and close to it (within 0.25 nats)", () => {
    const rand = seeded(3);
    for (const [factor, nc, nb] of [
      [1.2, 300, 2700],
      [1.2, 3000, 27_000],
      [1, 2000, 18_000],
      [1.6, 200, 1800],
    ] as const) {
      const [c, b] = histograms(rand, factor, nc, nb);
      for (const dir of ["up", "down"] as const) {
        const joint = logLatencyJointEvidence(dir, c, b, 0.95, 0.1, GRID);
        const inf = brute(dir, c, b, 0.95, 0.1);
        expect(joint, `${factor} ${nc} ${dir}`).toBeLessThanOrEqual(inf + 1e-9);
        expect(joint, `${factor} ${nc} ${dir}`).toBeGreaterThan(inf - 0.25);
      }
    }
  });

  it("rolls back a canary 100× slower than a fast baseline within ~200 requests each at 50 % weight", () => {
    // Baseline all in (2.5, 5] ms, canary all in (250, 500] ms, 10 requests each per look: the
    // baseline's p95 must be shown below a point, which takes ~90 of its requests at the least.
    const s = startLatency({ alpha: 0.01, quantile: 0.95, maxRelativeIncrease: 0.2, minRequests: 100 });
    const inc = (bucket: number) => ({ les: LE, counts: LE.map((_, i) => (i >= bucket ? 10 : 0)) });
    let n = 0;
    while (s.decided === undefined && n < 1000) {
      stepLatency(s, inc(9), inc(3));
      n += 10;
    }
    expect(s.decided).toBe("Failed");
    expect(n).toBeLessThanOrEqual(220);
  });

  it("has no evidence without requests on both sides", () => {
    const [c, b] = histograms(seeded(4), 1, 100, 0);
    expect(logLatencyJointEvidence("up", c, b, 0.95, 0.1, GRID)).toBe(0);
  });
});
