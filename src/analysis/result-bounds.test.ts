import { describe, expect, it } from "vitest";
import {
  boundedResult,
  MAX_RESULT_DEPTH,
  MAX_RESULT_STRING,
  MAX_RESULT_VALUES,
  ResultTooLargeError,
} from "./result-bounds.js";

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe("boundedResult", () => {
  it("turns bigints into numbers and drops undefined fields", () => {
    expect(boundedResult({ a: 2n, b: undefined, c: [1n, "x", null, true] })).toEqual({ a: 2, c: [1, "x", null, true] });
  });

  it("accepts a result right at each bound", () => {
    expect(() => boundedResult(new Array(MAX_RESULT_VALUES - 1).fill(0))).not.toThrow();
    expect(() => boundedResult("a".repeat(MAX_RESULT_STRING))).not.toThrow();
    expect(() => boundedResult(nested(MAX_RESULT_DEPTH))).not.toThrow();
  });

  it.each([
    ["a long list", () => new Array(MAX_RESULT_VALUES + 1).fill(0), /has 10001 items/],
    ["many values spread over lists", () => new Array(200).fill(new Array(50).fill(0)), /more than 10000 values/],
    ["a long string", () => "a".repeat(MAX_RESULT_STRING + 1), /65537 characters/],
    ["deep nesting", () => nested(MAX_RESULT_DEPTH + 1), /deeper than 32 levels/],
  ])("refuses %s", (_name, make, message) => {
    expect(() => boundedResult(make())).toThrow(ResultTooLargeError);
    expect(() => boundedResult(make())).toThrow(message);
  });
});
