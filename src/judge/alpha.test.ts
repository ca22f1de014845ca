import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitAlpha } from "./alpha.js";

describe("splitAlpha", () => {
  it("divides the budget by the number of metrics (Bonferroni)", () => {
    expect(splitAlpha(0.01, 1)).toBe(0.01);
    expect(splitAlpha(0.01, 4)).toBe(0.0025);
  });
  it("reads hostile numbers on the cautious side, never above the budget", () => {
    fc.assert(
      fc.property(fc.double(), fc.double(), (a, m) => {
        const share = splitAlpha(a, m);
        expect(share > 0 && share < 1).toBe(true);
        if (a >= 1e-9 && a < 1) expect(share).toBeLessThanOrEqual(a);
      }),
    );
  });
});
