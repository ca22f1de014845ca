import { describe, expect, it } from "vitest";
import { MAX_PATTERN_LENGTH, matcherFor, unsafePatternReason } from "./regex-guard.js";

describe("unsafePatternReason", () => {
  it.each([
    "^ok$",
    "^[0-9]+\\.[0-9]+$",
    "(ab|cd)+",
    // Backtracking shapes are harmless on RE2, so they are no longer refused.
    "(a+)+",
    "^(a|a)*$",
    "(\\d+\\.){2,}",
    "(?i)^ok$",
  ])("accepts %s", (pattern) => {
    expect(unsafePatternReason(pattern)).toBeUndefined();
  });

  it.each([
    ["(a)\\1", /RE2.*invalid escape sequence.*backreferences and lookaround are not supported/],
    ["(?<x>a)\\k<x>", /RE2/],
    ["(?=a)b", /RE2.*invalid perl operator/],
    ["(?<!a)b", /RE2/],
    ["(", /RE2.*missing \)/],
    ["a".repeat(MAX_PATTERN_LENGTH + 1), /at most 1000 are accepted/],
  ])("refuses %s", (pattern, reason) => {
    expect(unsafePatternReason(pattern)).toMatch(reason);
  });
});

describe("matcherFor", () => {
  it("matches in linear time what a backtracking engine takes seconds on", () => {
    const started = performance.now();
    expect(matcherFor("^(a|a)*$").test(`${"a".repeat(28)}b`)).toBe(false);
    expect(matcherFor("^(a+)+$").test(`${"a".repeat(100_000)}b`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("compiles each pattern once", () => {
    expect(matcherFor("^x+$")).toBe(matcherFor("^x+$"));
  });
});
