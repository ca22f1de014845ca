import { describe, expect, it } from "vitest";
import { countIncrements } from "./looks.js";
import type { CountLook } from "./types.js";

const look = (at: number, cn: number, ce: number, bn: number, be: number): CountLook => ({
  at,
  canary: { requests: cn, errors: ce },
  baseline: { requests: bn, errors: be },
});

describe("countIncrements", () => {
  it("counts from the first look, not from zero (counters may include earlier traffic)", () => {
    const { increments } = countIncrements([look(0, 1000, 10, 9000, 90), look(1, 1100, 12, 9900, 99)]);
    expect(increments).toHaveLength(1);
    expect(increments[0]?.canary).toEqual({ requests: 100, errors: 2 });
    expect(increments[0]?.total.baseline).toEqual({ requests: 900, errors: 9 });
  });
  it("skips impossible looks and starts a new series after a counter went down", () => {
    const { increments, problems } = countIncrements([
      look(0, 0, 0, 0, 0),
      look(1, 100, 1, 900, 9),
      look(2, Number.NaN, 0, 0, 0),
      look(3, 10, 20, 0, 0),
      look(4, 5, 0, 50, 0),
      look(5, 105, 1, 950, 10),
    ]);
    expect(problems).toEqual({ invalid: 2, restarts: 1 });
    expect(increments.map((i) => i.canary.requests)).toEqual([100, 100]);
    expect(increments.at(-1)?.total.canary).toEqual({ requests: 200, errors: 2 });
  });
});
