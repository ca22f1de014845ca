import { describe, expect, it } from "vitest";
import { JsonPathSyntaxError, parseJsonPath, selectJsonPath } from "./json-path.js";

function pick(value: unknown, expr: string) {
  return selectJsonPath(value, parseJsonPath(expr));
}

describe("parseJsonPath", () => {
  it("reads keys, indexes and quoted keys, with or without braces", () => {
    expect(parseJsonPath("{$.data.ok}")).toEqual([{ key: "data" }, { key: "ok" }]);
    expect(parseJsonPath("$.items[0].value")).toEqual([{ key: "items" }, { index: 0 }, { key: "value" }]);
    expect(parseJsonPath(`$['a b']["c.d"][-1]`)).toEqual([{ key: "a b" }, { key: "c.d" }, { index: -1 }]);
    expect(parseJsonPath("$")).toEqual([]);
  });

  it("unescapes quotes inside a quoted key", () => {
    expect(parseJsonPath(`$['it\\'s']`)).toEqual([{ key: "it's" }]);
  });

  it("rejects what it does not support, naming the place", () => {
    expect(() => parseJsonPath("data.ok")).toThrow(JsonPathSyntaxError);
    expect(() => parseJsonPath("$.a..b")).toThrow(/empty key at position 4/);
    expect(() => parseJsonPath("$.items[*]")).toThrow(/bracket at position 8/);
    expect(() => parseJsonPath("$x")).toThrow(/unexpected "x"/);
  });
});

describe("selectJsonPath", () => {
  const doc = { data: { ok: true, n: 0 }, items: [{ value: 0.97 }, { value: 0.5 }], "a b": null };

  it("selects nested values, including falsy ones", () => {
    expect(pick(doc, "{$.data.ok}")).toEqual({ value: true });
    expect(pick(doc, "$.data.n")).toEqual({ value: 0 });
    expect(pick(doc, "$.items[0].value")).toEqual({ value: 0.97 });
    expect(pick(doc, "$.items[-1].value")).toEqual({ value: 0.5 });
    expect(pick(doc, "$['a b']")).toEqual({ value: null });
    expect(pick(doc, "$")).toEqual({ value: doc });
  });

  it("says where the path stopped matching", () => {
    expect(pick(doc, "$.data.missing")).toEqual({ missing: '$.data has no key "missing"' });
    expect(pick(doc, "$.items[5]")).toEqual({ missing: "$.items has 2 elements, no [5]" });
    expect(pick(doc, "$.data[0]")).toEqual({ missing: "$.data is not an array" });
    expect(pick(doc, "$.items.value")).toEqual({ missing: "$.items is not an object" });
  });

  it("never walks into inherited properties", () => {
    expect(pick({}, "$.__proto__")).toEqual({ missing: '$ has no key "__proto__"' });
    expect(pick({ a: {} }, "$.a.constructor")).toEqual({ missing: '$.a has no key "constructor"' });
  });
});
