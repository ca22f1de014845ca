/**
 * Converts the `data` of a Prometheus HTTP API answer into the value conditions see:
 * scalar -> number, vector -> number[] (one per series), matrix -> number[][] (one array of
 * sample values per series), string -> string. Prometheus writes sample values as strings,
 * including "NaN", "+Inf" and "-Inf"; they become the matching JavaScript numbers. A NaN is kept
 * as NaN (not an error): the verdict logic treats a result with NaN as Inconclusive unless a
 * condition was explicitly true about it, which is what a 0/0 rate over no traffic deserves.
 */
export type PrometheusValue = number | string | number[] | number[][];

/** The outcome of reading `data`: a value, a value that cannot decide (no series), or a reason it is malformed. */
export type ConvertedResult = { value: PrometheusValue; empty: boolean } | { malformed: string };

/** A Prometheus sample value as a number; `undefined` if it is not one. */
export function parseSampleValue(raw: unknown): number | undefined {
  if (typeof raw !== "string") return undefined;
  switch (raw) {
    case "NaN":
      return Number.NaN;
    case "+Inf":
    case "Inf":
      return Number.POSITIVE_INFINITY;
    case "-Inf":
      return Number.NEGATIVE_INFINITY;
  }
  if (raw.trim() === "") return undefined;
  const n = Number(raw);
  return Number.isNaN(n) ? undefined : n;
}

function samplePair(pair: unknown): string | undefined {
  return Array.isArray(pair) && pair.length === 2 ? (pair[1] as string) : undefined;
}

function sampleOf(pair: unknown, where: string): number | { malformed: string } {
  const n = parseSampleValue(samplePair(pair));
  return n === undefined ? { malformed: `${where} is not a [time, "value"] sample` } : n;
}

/** Reads the `data` object of a successful `/api/v1/query` or `/api/v1/query_range` answer. */
export function convertPrometheusData(data: unknown): ConvertedResult {
  if (data === null || typeof data !== "object") return { malformed: "the answer has no data object" };
  const { resultType, result } = data as { resultType?: unknown; result?: unknown };
  switch (resultType) {
    case "scalar": {
      const n = sampleOf(result, "the scalar result");
      return typeof n === "number" ? { value: n, empty: false } : n;
    }
    case "string": {
      const s = samplePair(result);
      return typeof s === "string"
        ? { value: s, empty: false }
        : { malformed: "the string result is not [time, text]" };
    }
    case "vector": {
      if (!Array.isArray(result)) return { malformed: "the vector result is not an array" };
      const values: number[] = [];
      for (const [i, series] of result.entries()) {
        const n = sampleOf((series as { value?: unknown } | null)?.value, `series ${i} of the vector`);
        if (typeof n !== "number") return n;
        values.push(n);
      }
      return { value: values, empty: values.length === 0 };
    }
    case "matrix": {
      if (!Array.isArray(result)) return { malformed: "the matrix result is not an array" };
      const matrix: number[][] = [];
      for (const [i, series] of result.entries()) {
        const raw = (series as { values?: unknown } | null)?.values;
        if (!Array.isArray(raw)) return { malformed: `series ${i} of the matrix has no values array` };
        const values: number[] = [];
        for (const pair of raw) {
          const n = sampleOf(pair, `a sample of series ${i} of the matrix`);
          if (typeof n !== "number") return n;
          values.push(n);
        }
        matrix.push(values);
      }
      return { value: matrix, empty: matrix.length === 0 };
    }
    default:
      return { malformed: `the result type ${JSON.stringify(resultType)} is unknown` };
  }
}
