import { describe, expect, it } from "vitest";
import { normalCdf, normalQuantile } from "./normal.js";

/** Φ by brute force: Simpson's rule on the density from 0 to |z| (an independent check). */
function simpsonCdf(z: number): number {
  const n = 20_000;
  const h = Math.abs(z) / n;
  const f = (x: number) => Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
  let sum = f(0) + f(Math.abs(z));
  for (let i = 1; i < n; i++) sum += (i % 2 === 1 ? 4 : 2) * f(i * h);
  const half = (sum * h) / 3;
  return z >= 0 ? 0.5 + half : 0.5 - half;
}

describe("the standard normal", () => {
  it("CDF matches published values and a numerical integral", () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 7);
    expect(normalCdf(-1.644853627)).toBeCloseTo(0.05, 7);
    for (const z of [-4, -2.5, -1, -0.3, 0.7, 1.5, 3, 5]) expect(normalCdf(z)).toBeCloseTo(simpsonCdf(z), 7);
  });

  it("quantile inverts the CDF and matches published values", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 6);
    expect(normalQuantile(0.95)).toBeCloseTo(1.644853627, 6);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 6);
    for (const p of [1e-6, 0.01, 0.2, 0.6, 0.99, 0.999999]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 8);
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(1.5)).toBeNaN();
  });
});
