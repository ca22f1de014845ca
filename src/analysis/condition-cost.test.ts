import { describe, expect, it } from "vitest";
import { createConditionEnvironment } from "./cel-environment.js";
import { COST_BUDGET, estimateConditionCost, SCAN_COST } from "./condition-cost.js";
import { MAX_RESULT_VALUES } from "./result-bounds.js";

const env = createConditionEnvironment();
const cost = (expr: string) => estimateConditionCost(env.parse(expr).ast);
const T = MAX_RESULT_VALUES;

describe("estimateConditionCost", () => {
  it.each([
    // [expression, worst-case steps, within budget]
    ["result >= 0.99", 3, true],
    ["result.canary.p95 <= 200.0 && result.canary.requests >= 100", 11, true],
    // One loop: its body (3 steps) once per item, plus the range and the loop itself.
    ["result.all(x, x < 0.5)", 1 + 1 + 3 * T, true],
    ["[1, 2, 3].exists(x, x == result)", 4 + 1 + 3 * (3 + SCAN_COST), true],
    // A loop over each element's parts is charged once: together they hold at most T values.
    ["result.all(s, s.all(v, v < 0.5))", 1 + 1 + T * 2 + 3 * T, true],
    ["result.series.all(s, s.values.all(v, v < 0.5))", 2 + 1 + T * 3 + 3 * T, true],
    // Loops over the whole result multiply.
    ["result.all(x, result.all(y, x < y))", 1 + 1 + T * (1 + 1 + 3 * T), false],
    ["result.all(x, result.all(y, result.all(z, x + y + z < 1000)))", 1 + 1 + T * (2 + T * (2 + 7 * T)), false],
    // An inner loop over an outer element's parts, inside a loop over the whole result: T × T.
    ["result.all(s, result.all(t, s.all(v, v < t)))", 1 + 1 + T * (1 + 1 + T * 2) + T * T * 3, false],
    ["result.map(x, x * 2.0).all(y, y < 3.0)", 1 + 1 + 3 * T + 1 + 3 * T, true],
    ["(result + result).all(x, x < 1.0)", 3 + 1 + 3 * 2 * T, true],
    ['result.matches("^ok$")', 3 + SCAN_COST, true],
    ['result.split(",").all(p, p.contains("x"))', 3 + SCAN_COST + 1 + T * (3 + SCAN_COST), true],
  ] as const)("%s costs %d", (expr, steps, fits) => {
    expect(cost(expr)).toBe(steps);
    expect(cost(expr) <= COST_BUDGET).toBe(fits);
  });

  it("does not let a loop variable named result hide the real result", () => {
    expect(cost("result.all(result, result.all(v, v < 1.0))")).toBe(cost("result.all(s, s.all(v, v < 1.0))"));
  });
});
