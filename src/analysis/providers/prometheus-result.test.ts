import { describe, expect, it } from "vitest";
import { convertPrometheusData, parseSampleValue } from "./prometheus-result.js";

describe("parseSampleValue", () => {
  it("reads Prometheus' spellings of special values", () => {
    expect(parseSampleValue("NaN")).toBeNaN();
    expect(parseSampleValue("+Inf")).toBe(Number.POSITIVE_INFINITY);
    expect(parseSampleValue("-Inf")).toBe(Number.NEGATIVE_INFINITY);
    expect(parseSampleValue("0.25")).toBe(0.25);
    expect(parseSampleValue("1e3")).toBe(1000);
  });

  it("rejects what is not a numeric string", () => {
    expect(parseSampleValue("abc")).toBeUndefined();
    expect(parseSampleValue("")).toBeUndefined();
    expect(parseSampleValue(3)).toBeUndefined();
  });
});

describe("convertPrometheusData", () => {
  it("turns a scalar into a number", () => {
    expect(convertPrometheusData({ resultType: "scalar", result: [1700000000, "0.9"] })).toEqual({
      value: 0.9,
      empty: false,
    });
  });

  it("turns a vector into one number per series", () => {
    const data = {
      resultType: "vector",
      result: [
        { metric: { a: "1" }, value: [1, "0.5"] },
        { metric: { a: "2" }, value: [1, "NaN"] },
      ],
    };
    const r = convertPrometheusData(data);
    if (!("value" in r)) throw new Error(r.malformed);
    expect(r.empty).toBe(false);
    expect((r.value as number[])[0]).toBe(0.5);
    expect((r.value as number[])[1]).toBeNaN();
  });

  it("marks an empty vector as empty", () => {
    expect(convertPrometheusData({ resultType: "vector", result: [] })).toEqual({ value: [], empty: true });
  });

  it("turns a matrix into one array of values per series", () => {
    const data = {
      resultType: "matrix",
      result: [
        {
          metric: {},
          values: [
            [1, "1"],
            [2, "+Inf"],
          ],
        },
        { metric: {}, values: [[1, "3"]] },
      ],
    };
    expect(convertPrometheusData(data)).toEqual({ value: [[1, Number.POSITIVE_INFINITY], [3]], empty: false });
  });

  it("keeps a string result as text", () => {
    expect(convertPrometheusData({ resultType: "string", result: [1, "hello"] })).toEqual({
      value: "hello",
      empty: false,
    });
  });

  it("reports malformed data instead of guessing", () => {
    expect(convertPrometheusData(null)).toEqual({ malformed: "the answer has no data object" });
    expect(convertPrometheusData({ resultType: "histogram", result: [] })).toEqual({
      malformed: 'the result type "histogram" is unknown',
    });
    expect(convertPrometheusData({ resultType: "vector", result: [{ value: [1, "x"] }] })).toEqual({
      malformed: 'series 0 of the vector is not a [time, "value"] sample',
    });
    expect(convertPrometheusData({ resultType: "matrix", result: [{}] })).toEqual({
      malformed: "series 0 of the matrix has no values array",
    });
  });
});
