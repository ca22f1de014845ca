import { describe, expect, it } from "vitest";
import { compilePattern, MAX_MATCH_INPUT, MAX_PATTERN_LENGTH, PatternError, patternProblem } from "./regex.js";

describe("compilePattern", () => {
  it("matches the whole value, not a part of it", () => {
    const test = compilePattern("beta|canary");
    expect(test("beta")).toBe(true);
    expect(test("canary")).toBe(true);
    expect(test("beta-tester")).toBe(false);
    expect(test("xcanary")).toBe(false);
  });

  it("cannot be escaped from its anchors by unbalanced parentheses", () => {
    expect(() => compilePattern("a)|(b")).toThrow(PatternError);
    expect(() => compilePattern("a)|(.*")).toThrow(/invalid regex/);
  });

  it("refuses what RE2 cannot compile, naming the pattern", () => {
    expect(patternProblem("(")).toMatch(/invalid regex "\(": missing \)/);
    expect(patternProblem("a(?=b)")).toMatch(/no lookaround/);
    expect(patternProblem("(a)\\1")).toMatch(/invalid regex/);
    expect(patternProblem("x".repeat(MAX_PATTERN_LENGTH + 1))).toMatch(/the limit is 1024/);
    expect(patternProblem("^v[0-9]+\\.[0-9]+$")).toBeUndefined();
  });

  it("answers a catastrophic pattern against a 10 KB value at once", () => {
    const test = compilePattern("(a+)+");
    const started = performance.now();
    expect(test(`${"a".repeat(30)}!`)).toBe(false);
    expect(test("a".repeat(MAX_MATCH_INPUT))).toBe(true);
    expect(test(`${"a".repeat(10_000)}!`)).toBe(false);
    // A backtracking engine needs about 2^30 steps for the first value alone.
    expect(performance.now() - started).toBeLessThan(200);
  });

  it("never matches a value longer than the input bound", () => {
    const test = compilePattern(".*");
    expect(test("x".repeat(MAX_MATCH_INPUT))).toBe(true);
    expect(test("x".repeat(MAX_MATCH_INPUT + 1))).toBe(false);
  });
});
