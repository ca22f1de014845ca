import { describe, expect, it } from "vitest";
import { checkCondition } from "../analysis/conditions.js";
import { exprToCel } from "./expr-to-cel.js";

describe("exprToCel", () => {
  const table: [string, string][] = [
    ["result[0] >= 0.95", "result[0] >= 0.95"],
    ["result == true", "result == true"],
    ["len(result) > 0", "size(result) > 0"],
    ["len(result) > 0 and result[0] >= 97", "size(result) > 0 && result[0] >= 97"],
    ["result[0] < 1 or result[0] > 5", "result[0] < 1 || result[0] > 5"],
    ["not isNaN(result[0]) && result[0] <= 300", "!isNaN(result[0]) && result[0] <= 300"],
    ["isNaN(result) || result >= 0.99", "isNaN(result) || result >= 0.99"],
    ["not (result < 1)", "!(result < 1)"],
    ["asInt(result) >= 3", "int(result) >= 3"],
    ["asFloat(result) > 0.5", "double(result) > 0.5"],
    ["result != nil", "result != null"],
    ["default(result, 0) < 0.01", "default(result, 0) < 0.01"],
    ["all(result, {# >= 0.9})", "result.all(x, x >= 0.9)"],
    ["any(result, {# > 1})", "result.exists(x, x > 1)"],
    ["none(result, {# < 0.5})", "!result.exists(x, x < 0.5)"],
    ["one(result, {# == 0})", "result.exists_one(x, x == 0)"],
    ["len(filter(result, {# > 0.5})) == 2", "size(result.filter(x, x > 0.5)) == 2"],
    ["all(result.series, {all(#, {# > 0})})", "result.series.all(x, x.all(y, y > 0))"],
    ['result.status matches "^ok"', 'result.status.matches("^ok")'],
    ["result.name startsWith 'canary'", "result.name.startsWith('canary')"],
    ["result.data.ok == true ? true : false", "result.data.ok == true ? true : false"],
    ["result in [1, 2]", "result in [1, 2]"],
    ["1_000 < result", "1000 < result"],
    ["`^a.b$` == result", 'r"^a.b$" == result'],
  ];
  it.each(table)("%s -> %s", (expr, cel) => {
    const t = exprToCel(expr);
    expect(t).toEqual({ cel, problems: [] });
    expect(checkCondition(t.cel)).toEqual({ ok: true });
  });

  const untranslatable: [string, string][] = [
    ["isInf(result[0])", "the function isInf()"],
    ["result ** 2 > 1", "the ** operator"],
    ["result ?? 0", "the ?? operator"],
    ["result?.x", "the ?. operator"],
    ["result[0:2]", "slices ([a:b])"],
    ["1..3", "ranges (..)"],
    ["result not in [1, 2]", "the not in operator (write !(a in b))"],
    ["foo > 1", "the name foo (only result is known)"],
    ["# > 1", "# outside a predicate"],
    ["result + 1 matches 'x'", "the matches operator here (write it as a method call, e.g. a.matches(b))"],
    ["all(result)", "all() without a {predicate}"],
    ["result == 'open", "unterminated string"],
    ["result @ 1", 'unexpected character "@"'],
  ];
  it.each(untranslatable)("reports %s as untranslatable", (expr, problem) => {
    expect(exprToCel(expr).problems).toEqual([problem]);
  });

  it("reports map literals", () => {
    expect(exprToCel("{a: 1} == result").problems).toContain("map literals ({...})");
  });

  it("does not mistake object members for known names", () => {
    expect(exprToCel("constructor(result)").problems).toEqual(["the function constructor()"]);
    expect(exprToCel("result.len > 1")).toEqual({ cel: "result.len > 1", problems: [] });
  });

  it("keeps ternaries apart from slices", () => {
    expect(exprToCel("result[result[0] > 1 ? 0 : 1] > 2").problems).toEqual([]);
  });
});
