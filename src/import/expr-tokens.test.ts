import { describe, expect, it } from "vitest";
import { closingIndex, ExprSyntaxError, openingIndex, tokenizeExpr } from "./expr-tokens.js";

describe("tokenizeExpr", () => {
  it("splits numbers, strings, names, word operators and operators, keeping leading spaces", () => {
    const ts = tokenizeExpr("len(result) >= 0.5 and  'a' != `b`");
    expect(ts.map((t) => [t.kind, t.text, t.ws])).toEqual([
      ["ident", "len", ""],
      ["op", "(", ""],
      ["ident", "result", ""],
      ["op", ")", ""],
      ["op", ">=", " "],
      ["number", "0.5", " "],
      ["word", "and", " "],
      ["string", "'a'", "  "],
      ["op", "!=", " "],
      ["string", "`b`", " "],
    ]);
  });

  it("reads .5 as a number but .x as member access and .. as a range", () => {
    expect(tokenizeExpr(".5").map((t) => t.kind)).toEqual(["number"]);
    expect(tokenizeExpr("a.x").map((t) => t.text)).toEqual(["a", ".", "x"]);
    expect(tokenizeExpr("1..3").map((t) => t.text)).toEqual(["1", "..", "3"]);
  });

  it("throws with the position of what it cannot read", () => {
    expect(() => tokenizeExpr("a @")).toThrow(ExprSyntaxError);
    try {
      tokenizeExpr("ab 'x");
    } catch (err) {
      expect((err as ExprSyntaxError).position).toBe(3);
    }
  });

  it("finds matching brackets both ways", () => {
    const ts = tokenizeExpr("f((a)[1], b)");
    expect(closingIndex(ts, 1)).toBe(ts.length - 1);
    expect(openingIndex(ts, ts.length - 1)).toBe(1);
    expect(closingIndex(ts, 0)).toBe(-1);
  });
});
