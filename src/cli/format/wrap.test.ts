import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fitted } from "../output.js";
import { visibleLength as visibleWidth } from "./table.js";
import { wrapToWidth } from "./wrap.js";

describe("wrapToWidth", () => {
  it("wraps long lines at spaces with a hanging indent and leaves short ones alone", () => {
    expect(wrapToWidth("  Normal  Applied  created from a long file name", 24)).toBe(
      "  Normal  Applied\n    created from a long\n    file name",
    );
    expect(wrapToWidth("short\n  also short", 24)).toBe("short\n  also short");
  });

  it("measures without colour codes", () => {
    const red = "\u001b[31mFailed\u001b[0m";
    expect(visibleWidth(red)).toBe(6);
    expect(wrapToWidth(`${red} ${"x".repeat(14)}`, 21)).toBe(`${red} ${"x".repeat(14)}`);
  });

  it("never breaks a word, never loses one, and keeps lines within the width unless a word is wider", () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z]{1,30}$/), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 20, max: 120 }),
        (words, width) => {
          const wrapped = wrapToWidth(words.join(" "), width);
          expect(wrapped.split(/\s+/).filter(Boolean)).toEqual(words);
          for (const line of wrapped.split("\n"))
            if (visibleWidth(line) > width) expect(line.trim().includes(" ")).toBe(false);
        },
      ),
    );
  });

  it("leaves text alone for a width it cannot honour", () => {
    expect(wrapToWidth("a b c", Number.NaN)).toBe("a b c");
    expect(wrapToWidth("a b c", 5)).toBe("a b c");
  });
});

describe("fitted", () => {
  const out = (columns?: number) => ({ log: () => {}, error: () => {}, isTTY: columns !== undefined, columns });
  it("wraps to the terminal's width, and leaves piped output as it is", () => {
    const line = `  ${"word ".repeat(30).trim()}`;
    expect(
      fitted(out(40), line)
        .split("\n")
        .every((l) => l.length <= 40),
    ).toBe(true);
    expect(fitted(out(), line)).toBe(line);
  });
});
