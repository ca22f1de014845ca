import { describe, expect, it } from "vitest";
import { WeightedPicker } from "./picker.js";

function tally<T>(picker: WeightedPicker<T>, n: number): Map<T | undefined, number> {
  const out = new Map<T | undefined, number>();
  for (let i = 0; i < n; i++) {
    const item = picker.next();
    out.set(item, (out.get(item) ?? 0) + 1);
  }
  return out;
}

describe("WeightedPicker", () => {
  it("splits exactly by integer weights", () => {
    const counts = tally(
      new WeightedPicker([
        ["stable", 80],
        ["canary", 20],
      ]),
      10_000,
    );
    expect(counts.get("stable")).toBe(8000);
    expect(counts.get("canary")).toBe(2000);
  });

  it("splits fractional weights to within one pick", () => {
    const counts = tally(
      new WeightedPicker([
        ["a", 100 / 3],
        ["b", 100 / 3],
        ["c", 100 / 3],
      ]),
      9_999,
    );
    for (const k of ["a", "b", "c"]) expect(Math.abs((counts.get(k) ?? 0) - 3333)).toBeLessThanOrEqual(1);
  });

  it("interleaves picks instead of bunching them", () => {
    const picker = new WeightedPicker([
      ["stable", 50],
      ["canary", 50],
    ]);
    const seq = Array.from({ length: 6 }, () => picker.next());
    for (let i = 1; i < seq.length; i++) expect(seq[i]).not.toBe(seq[i - 1]);
  });

  it("never picks zero-weight items and is empty when all are zero", () => {
    const counts = tally(
      new WeightedPicker([
        ["stable", 100],
        ["canary", 0],
      ]),
      100,
    );
    expect(counts.get("stable")).toBe(100);
    expect(counts.has("canary")).toBe(false);
    const none = new WeightedPicker([["x", 0]]);
    expect(none.empty).toBe(true);
    expect(none.next()).toBeUndefined();
  });

  it("is exact over a short run for a 1% canary", () => {
    const counts = tally(
      new WeightedPicker([
        ["stable", 99],
        ["canary", 1],
      ]),
      100,
    );
    expect(counts.get("canary")).toBe(1);
  });
});
