import { describe, expect, it } from "vitest";
import { bucketsOf, countQuery, firstSelector, INF_LE, vectorSamples } from "./prometheus-counts.js";

const vector = (...rows: [Record<string, string>, string][]) => ({
  resultType: "vector",
  result: rows.map(([metric, v]) => ({ metric, value: [1700000000, v] })),
});

describe("countQuery", () => {
  it("puts the revision where {{revision}} stands, however spaced", () => {
    expect(countQuery('sum(x{rev="{{revision}}"}) + sum(y{r="{{ revision }}"})', "abc")).toBe(
      'sum(x{rev="abc"}) + sum(y{r="abc"})',
    );
  });
});

describe("vectorSamples", () => {
  it("reads every sample of an instant vector", () => {
    expect(vectorSamples(vector([{}, "12"], [{ pod: "a" }, "3"]))).toEqual([
      { labels: {}, value: 12 },
      { labels: { pod: "a" }, value: 3 },
    ]);
  });

  it("is inconclusive on no data: a lost scrape target's series go stale and vanish", () => {
    expect(vectorSamples({ resultType: "vector", result: [] })).toHaveProperty("inconclusive");
  });

  it("is inconclusive on NaN or negative counts, and malformed on a matrix", () => {
    expect(vectorSamples(vector([{}, "NaN"]))).toHaveProperty("inconclusive");
    expect(vectorSamples(vector([{}, "-1"]))).toHaveProperty("inconclusive");
    expect(vectorSamples({ resultType: "matrix", result: [] })).toHaveProperty("malformed");
  });
});

describe("bucketsOf", () => {
  it("sums series per le, sorts them and stores +Inf as the largest number", () => {
    const s = vectorSamples(vector([{ le: "+Inf" }, "10"], [{ le: "0.1" }, "4"], [{ le: "0.1" }, "2"]));
    expect(Array.isArray(s) && bucketsOf(s)).toEqual([
      { le: 0.1, count: 6 },
      { le: INF_LE, count: 10 },
    ]);
  });

  it("is inconclusive without an le label", () => {
    const s = vectorSamples(vector([{}, "1"]));
    expect(Array.isArray(s) && bucketsOf(s)).toHaveProperty("inconclusive");
  });
});

describe("firstSelector", () => {
  it("finds the first name{...} selector, skipping braces inside quotes", () => {
    expect(firstSelector('sum(http_requests_total{revision="a}b",status=~"5.."}) or vector(0)')).toBe(
      'http_requests_total{revision="a}b",status=~"5.."}',
    );
    expect(firstSelector('sum(rate({__name__="x"}[1m]))')).toBe('{__name__="x"}');
    expect(firstSelector("vector(1)")).toBeUndefined();
    expect(firstSelector('x{a="unterminated')).toBeUndefined();
  });

  it("scans a long hostile query in linear time", () => {
    const q = `${"a".repeat(60_000)}{"${"\\\\".repeat(2000)}`;
    const t = performance.now();
    expect(firstSelector(q)).toBeUndefined();
    expect(performance.now() - t).toBeLessThan(200);
  });
});
