import RE2 from "re2";

/**
 * Route-match patterns come from users and are run by the router on every request, so they are
 * compiled with RE2, whose matching time is linear in the input: no pattern can make one request
 * hold the router. The model's schema and the router both call {@link compilePattern}, so `lint`
 * accepts exactly the patterns the router serves.
 */

/** Longest pattern accepted: RE2 compiles in time and memory proportional to it. */
export const MAX_PATTERN_LENGTH = 1024;

/**
 * Longest value a pattern is tested against; a longer one never matches. Node refuses requests whose
 * headers exceed 16 KiB in total, so no real header value, cookie or path comes near this.
 */
export const MAX_MATCH_INPUT = 8 * 1024;

/** A pattern RE2 cannot compile, or one over {@link MAX_PATTERN_LENGTH}. */
export class PatternError extends Error {
  override readonly name = "PatternError";
  constructor(
    message: string,
    readonly pattern: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Tests a whole value against a compiled pattern. */
export type PatternTest = (value: string) => boolean;

/**
 * Compiles `pattern` to a test of the whole value (as Istio and Gateway API match), in RE2 syntax:
 * no lookaround, no backreferences. Throws {@link PatternError} naming what is wrong.
 */
export function compilePattern(pattern: string): PatternTest {
  if (pattern.length > MAX_PATTERN_LENGTH)
    throw new PatternError(`is ${pattern.length} characters long; the limit is ${MAX_PATTERN_LENGTH}`, pattern);
  // Compiled alone first: `a)|(b` is invalid on its own, but would escape the anchoring group below.
  compile(pattern, pattern);
  const re = compile(`^(?:${pattern})$`, pattern);
  return (value) => value.length <= MAX_MATCH_INPUT && re.test(value);
}

/** Why `pattern` would be refused, or undefined when it compiles. */
export function patternProblem(pattern: string): string | undefined {
  try {
    compilePattern(pattern);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function compile(source: string, pattern: string): RE2 {
  try {
    return new RE2(source);
  } catch (err) {
    throw new PatternError(
      `invalid regex ${JSON.stringify(pattern)}: ${(err as Error).message} (RE2 syntax: no lookaround or backreferences)`,
      pattern,
      { cause: err },
    );
  }
}
