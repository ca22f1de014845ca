/**
 * Most values (numbers, strings, booleans, lists and maps, counted through the whole tree) a
 * provider's result may hold for conditions to run on. The cost estimate takes it as the length
 * of any list a condition iterates over.
 */
export const MAX_RESULT_VALUES = 10_000;
/** Longest string in a result that conditions run on. */
export const MAX_RESULT_STRING = 65_536;
/** Deepest nesting of lists and maps in a result. */
export const MAX_RESULT_DEPTH = 32;

/** A provider's result that is too large for conditions; the measurement becomes an Error. */
export class ResultTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ResultTooLargeError";
  }
}

/**
 * Turns a provider's value into what CEL should see: numbers as doubles (bigints too), objects
 * without undefined fields. Throws {@link ResultTooLargeError} as soon as a bound is passed, so
 * the walk itself costs at most {@link MAX_RESULT_VALUES} steps.
 */
export function boundedResult(value: unknown): unknown {
  let count = 0;
  const walk = (v: unknown, depth: number): unknown => {
    count++;
    if (count > MAX_RESULT_VALUES)
      throw new ResultTooLargeError(
        `the result holds more than ${MAX_RESULT_VALUES} values; conditions accept at most that many`,
      );
    if (typeof v === "bigint") return Number(v);
    if (typeof v === "string") {
      if (v.length > MAX_RESULT_STRING)
        throw new ResultTooLargeError(
          `a string in the result is ${v.length} characters; conditions accept at most ${MAX_RESULT_STRING}`,
        );
      return v;
    }
    if (v === null || typeof v !== "object" || v instanceof Date) return v;
    if (depth >= MAX_RESULT_DEPTH)
      throw new ResultTooLargeError(`the result is nested deeper than ${MAX_RESULT_DEPTH} levels`);
    if (Array.isArray(v)) {
      if (v.length > MAX_RESULT_VALUES)
        throw new ResultTooLargeError(
          `a list in the result has ${v.length} items; conditions accept at most ${MAX_RESULT_VALUES} values`,
        );
      return v.map((x) => walk(x, depth + 1));
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = walk(x, depth + 1);
    return out;
  };
  return walk(value, 0);
}
