import { describe, expect, it } from "vitest";
import { EVALUATION_DEADLINE_MS } from "./condition-sandbox.js";
import {
  ConditionError,
  checkCondition,
  compileCondition,
  evaluateCondition,
  formatConditionProblem,
  renderCaret,
  runCondition,
} from "./conditions.js";
import { MAX_RESULT_STRING, MAX_RESULT_VALUES } from "./result-bounds.js";

const builtin = {
  canary: {
    successRate: 0.995,
    errorRate: 0.02,
    p50: 20,
    p90: 80,
    p95: 150,
    p99: 300,
    requestRate: 12.5,
    requests: 750,
  },
  stable: {
    successRate: 0.999,
    errorRate: 0.015,
    p50: 18,
    p90: 70,
    p95: 140,
    p99: 250,
    requestRate: 50,
    requests: 3000,
  },
};

function evaluate(expr: string, result: unknown) {
  return evaluateCondition(compileCondition(expr), result);
}

/** The same on this thread, for timing without the evaluation process's round trip. */
function runHere(expr: string, result: unknown) {
  return runCondition(compileCondition(expr), result);
}

describe("evaluateCondition", () => {
  it.each([
    ["result >= 0.99", 0.995, true],
    ["result >= 0.99", 0.98, false],
    ["result >= 1", 1, true],
    ["result >= 1", 0.5, false],
    ["result == 1", 1, true],
    ["result > 1.0", 2, true],
    ["result * 100 >= 99", 0.995, true],
    ["100 * result >= 99", 0.98, false],
    ["result - 1 < 0.5", 1.2, true],
    ["result / 2 == 0.5", 1, true],
    ["result + 1 > 2", 2, true],
    ["result[0] < 0.5", [0.2, 0.9], true],
    ["result[1] < 0.5", [0.2, 0.9], false],
    ["result[0][1] > 1", [[1, 2]], true],
    ["result.canary.p95 <= 200.0", builtin, true],
    ["result.canary.p95 <= 200", builtin, true],
    ["result.canary.p99 <= 200", builtin, false],
    ["result.canary.errorRate - result.stable.errorRate < 0.01", builtin, true],
    ["result.canary.errorRate - result.stable.errorRate < 0.001", builtin, false],
    ["result.canary.requests >= 100", builtin, true],
    ["result", true, true],
    ["result == false", false, true],
    ['result == "ok"', "ok", true],
    ["result.all(x, x < 0.5)", [0.1, 0.2], true],
    ["result.exists(x, x > 0.5)", [0.1, 0.2], false],
    ["size(result) == 0", [], true],
  ])("%s with %j is %s", async (expr, result, expected) => {
    expect(await evaluate(expr, result)).toBe(expected);
  });

  it("makes every comparison with NaN false, so neither condition holds", async () => {
    for (const expr of ["result >= 0.99", "result < 0.99", "result == 0.5", "result != result"]) {
      expect(await evaluate(expr, Number.NaN), expr).toBe(expr === "result != result");
    }
    expect(await evaluate("result.canary.successRate >= 0.99", { canary: { successRate: Number.NaN } })).toBe(false);
  });

  it("returns an error, not false, for a missing key or an empty vector", async () => {
    const missing = await evaluate("result.canary.p95 <= 200.0", { canary: {} });
    expect(missing).toEqual({ error: expect.stringContaining("p95") });
    const empty = await evaluate("result[0] < 0.5", []);
    expect(empty).toEqual({ error: expect.stringMatching(/index|bounds/i) });
    const undef = await evaluate("result.x > 1", { x: undefined });
    expect(undef).toEqual({ error: expect.stringContaining("x") });
  });

  it("returns an error for a runtime type mismatch and a non-boolean outcome", async () => {
    expect(await evaluate("result >= 0.99", "high")).toEqual({ error: expect.stringContaining("result >= 0.99") });
    expect(await evaluate("result >= 0.99", null)).toHaveProperty("error");
    expect(await evaluate("result.canary", builtin)).toEqual({ error: expect.stringContaining("not a boolean") });
  });

  it("treats bigints from a provider as doubles", async () => {
    expect(await evaluate("result >= 1.5", 2n)).toBe(true);
    expect(await evaluate("result + 0.5 == 2.5", 2n)).toBe(true);
  });

  it("offers isNaN, isEmpty and default helpers", async () => {
    expect(await evaluate("isNaN(result)", Number.NaN)).toBe(true);
    expect(await evaluate("isNaN(result)", 0.5)).toBe(false);
    expect(await evaluate("isNaN(result) || result >= 0.99", Number.NaN)).toBe(true);
    expect(await evaluate("isEmpty(result)", [])).toBe(true);
    expect(await evaluate("isEmpty(result)", [1])).toBe(false);
    expect(await evaluate("isEmpty(result)", {})).toBe(true);
    expect(await evaluate("isEmpty(result)", "")).toBe(true);
    expect(await evaluate("isEmpty(result)", 3)).toHaveProperty("error");
    expect(await evaluate("default(result.canary.p95, 0.0) <= 200.0", { canary: {} })).toBe(true);
    expect(await evaluate("default(result.canary.p95, 0.0) <= 200.0", { canary: { p95: 250 } })).toBe(false);
    expect(await evaluate("default(result[0], 1.0) < 0.5", [])).toBe(false);
  });

  it("runs matches on RE2 and refuses oversized strings in the result", async () => {
    expect(await evaluate('result.matches("^ok-[0-9]+$")', "ok-42")).toBe(true);
    expect(await evaluate('result.matches("^ok-[0-9]+$")', "nope")).toBe(false);
    expect(await evaluate('result.matches("a")', "a".repeat(MAX_RESULT_STRING + 1))).toEqual({
      error: expect.stringContaining(`conditions accept at most ${MAX_RESULT_STRING}`),
    });
  });
});

describe("bounded evaluation", () => {
  it("matches a backtracking pattern in linear time (29 characters took 12.9 s on RegExp)", () => {
    const hostile = `${"a".repeat(28)}b`;
    const started = performance.now();
    expect(runHere('result.matches("^(a|a)*$")', hostile)).toBe(false);
    expect(runHere('result.matches("(a+)+b$")', `${"a".repeat(MAX_RESULT_STRING - 1)}b`)).toBe(true);
    expect(runHere('result.matches("^(a+)+$")', `${"a".repeat(MAX_RESULT_STRING - 1)}b`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("refuses three nested loops over the result at compile time (5.7 s on 300-item lists)", () => {
    const check = checkCondition("result.all(x, result.all(y, result.all(z, x + y + z < 1000)))");
    expect(check).toMatchObject({ ok: false, message: expect.stringMatching(/over the budget/) });
  });

  it("refuses results over the size bounds before evaluating", async () => {
    const outcome = await evaluate("size(result) > 0", new Array(MAX_RESULT_VALUES + 1).fill(0));
    expect(outcome).toEqual({ error: expect.stringContaining(`at most ${MAX_RESULT_VALUES} values`) });
  });

  it("stops an evaluation the estimate let through at the deadline, with an error", async () => {
    // Each level doubles the list while the estimate sees a one-item literal: 9,000 × 2^10 items.
    const doubling =
      "[result].all(a, [a + a].all(b, [b + b].all(c, [c + c].all(d, [d + d].all(e, [e + e].all(f, " +
      "[f + f].all(g, [g + g].all(h, [h + h].all(i, [i + i].all(j, j.all(x, x < 2.0)))))))))))";
    expect(checkCondition(doubling)).toEqual({ ok: true });
    const started = performance.now();
    const outcome = await evaluate(doubling, new Array(9_000).fill(1));
    expect(outcome).toEqual({ error: expect.stringMatching(/deadline|evaluation process/) });
    // The deadline, plus a generous allowance for a cold evaluation process on a busy machine.
    expect(performance.now() - started).toBeLessThan(EVALUATION_DEADLINE_MS + 5_000);
    // The sandbox replaces the stopped process and keeps answering.
    expect(await evaluate("result >= 1", 1)).toBe(true);
  });
});

describe("checkCondition", () => {
  it("accepts the conditions users write", () => {
    for (const expr of [
      "result >= 0.99",
      "result[0] < 0.5",
      "result.canary.p95 <= 200.0",
      "result.canary.errorRate - result.stable.errorRate < 0.01",
      "isNaN(result) || result >= 1",
      'result.matches("^[a-z]+$")',
      'result.matches("^(a|a)*$")',
      "result.all(s, s.all(v, v < 0.5))",
      "default(result.canary.p95, 0.0) <= 200.0",
    ])
      expect(checkCondition(expr), expr).toEqual({ ok: true });
  });

  it.each([
    ["result >= 0.99 &&", /unexpected/i, 17],
    ["result +* 2", /unexpected/i, undefined],
    ['"a" > 1', /overload/i, 0],
    ["latency > 1", /unknown variable/i, 0],
    ["foo(result)", /overload|foo/i, 0],
    ["1 + 2", /must be a boolean.*int/, 0],
    ["", /empty/, undefined],
    ['result.matches("(a)\\\\1")', /RE2.*backreferences/, undefined],
    ['result.matches("(?=a)b")', /RE2/, undefined],
    ['result.matches("(")', /RE2.*missing \)/, undefined],
    ['result.sluiceRe2Matches("a")', /unknown function/, undefined],
    ["result.matches(result)", /string literal/, undefined],
  ])("rejects %s", (expr, message, position) => {
    const check = checkCondition(expr);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.message).toMatch(message);
    if (position !== undefined) expect(check.position).toBe(position);
  });

  it("compileCondition throws a ConditionError carrying the position and the library's cause", () => {
    let caught: unknown;
    try {
      compileCondition('result > "x" + 1');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConditionError);
    const e = caught as ConditionError;
    expect(e.expression).toBe('result > "x" + 1');
    expect(typeof e.position).toBe("number");
    expect(e.cause).toBeInstanceOf(Error);
  });

  it("caches compiled conditions by text", () => {
    expect(compileCondition("result >= 0.5")).toBe(compileCondition("result >= 0.5"));
  });
});

describe("renderCaret", () => {
  it("puts the caret under the position on its own line", () => {
    expect(renderCaret("result >= 0.99 &&", 17)).toBe("  result >= 0.99 &&\n                   ^");
    expect(renderCaret("result >= 0.99 &&\nfoo(", 22)).toBe("  result >= 0.99 &&\n  foo(\n      ^");
    expect(renderCaret("a\nb", undefined)).toBe("  a\n  b");
  });

  it("formats a failed check as a message followed by the caret", () => {
    const expr = "result >= 0.99 &&";
    const check = checkCondition(expr);
    if (check.ok) throw new Error("expected a failed check");
    expect(formatConditionProblem(expr, check)).toBe(`${check.message}\n  result >= 0.99 &&\n                   ^`);
  });
});
