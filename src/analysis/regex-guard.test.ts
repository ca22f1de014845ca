import { describe, expect, it } from "vitest";
import { unsafePatternReason } from "./regex-guard.js";

describe("unsafePatternReason", () => {
  it.each([
    "^ok$",
    "^[0-9]+\\.[0-9]+$",
    "(ab|cd)+",
    "(a+)?",
    "(?:foo)*bar",
    "[(a+)+]",
    "\\(a+\\)+",
    "a{2,5}b*",
    "(ab){3}",
  ])("accepts %s", (pattern) => {
    expect(unsafePatternReason(pattern)).toBeUndefined();
  });

  it.each([
    ["(a+)+", /nested quantifier/],
    ["(a*)*b", /nested quantifier/],
    ["((a+)b)*", /nested quantifier/],
    ["(\\d+\\.){2,}", /nested quantifier/],
    ["(a+){2,10}", /nested quantifier/],
    ["(a)\\1", /backreference/],
    ["(?<x>a)\\k<x>", /backreference/],
    ["(", /invalid regular expression/],
  ])("rejects %s", (pattern, reason) => {
    expect(unsafePatternReason(pattern)).toMatch(reason);
  });
});
