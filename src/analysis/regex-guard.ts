import RE2 from "re2";

/** Longest `matches` pattern accepted; a pattern is code, and nobody needs a longer one. */
export const MAX_PATTERN_LENGTH = 1000;

const COMPILED_LIMIT = 500;
const compiled = new Map<string, RE2>();

/**
 * Why a `matches` pattern cannot be used, or undefined when it can. Patterns run on RE2, which
 * matches in time linear in the input whatever the pattern, so there is no backtracking shape to
 * refuse; what RE2 cannot compile (backreferences, lookaround) is refused with its reason.
 */
export function unsafePatternReason(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH)
    return `the pattern is ${pattern.length} characters; at most ${MAX_PATTERN_LENGTH} are accepted`;
  try {
    matcherFor(pattern);
    return undefined;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return `the linear-time regex engine (RE2) cannot run this pattern: ${reason}; backreferences and lookaround are not supported`;
  }
}

/** A compiled RE2 matcher for a pattern, cached by text. Throws when RE2 cannot compile it. */
export function matcherFor(pattern: string): RE2 {
  let re = compiled.get(pattern);
  if (!re) {
    re = new RE2(pattern, "u");
    if (compiled.size >= COMPILED_LIMIT) compiled.delete(compiled.keys().next().value as string);
    compiled.set(pattern, re);
  }
  return re;
}
