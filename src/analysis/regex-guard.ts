/**
 * Longest string a condition may run `matches` on. JavaScript regexes backtrack, so even a vetted
 * pattern can take polynomial time; a cap on the input keeps one evaluation well under a millisecond
 * budget for the loop.
 */
export const MAX_MATCH_INPUT = 10_000;

/**
 * Why a `matches` pattern could make the analysis loop hang, or undefined when it looks safe.
 * Rejected: a quantified group that itself contains an unbounded quantifier (`(a+)+`, `(x*y)*`),
 * the classic catastrophic-backtracking shape, and backreferences, which defeat any bound.
 */
export function unsafePatternReason(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
  } catch (err) {
    return `invalid regular expression: ${err instanceof Error ? err.message : String(err)}`;
  }
  // One frame per open group: whether an unbounded quantifier occurred inside it.
  const groups: boolean[] = [];
  let lastGroupHadQuantifier = false;
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === "\\") {
      const next = pattern[i + 1] ?? "";
      if (/[1-9]/.test(next) || next === "k") return "backreferences are not allowed in matches()";
      i += 2;
      lastGroupHadQuantifier = false;
      continue;
    }
    if (c === "[") {
      i = skipClass(pattern, i);
      lastGroupHadQuantifier = false;
      continue;
    }
    if (c === "(") {
      groups.push(false);
      i++;
      continue;
    }
    if (c === ")") {
      lastGroupHadQuantifier = groups.pop() ?? false;
      // A nested group's quantifier counts for its parents too.
      if (lastGroupHadQuantifier && groups.length > 0) groups[groups.length - 1] = true;
      i++;
      const q = quantifierAt(pattern, i);
      if (q && lastGroupHadQuantifier && q.unbounded)
        return `nested quantifier near position ${i}: a repeated group that itself repeats can take exponential time`;
      if (q?.unbounded && groups.length > 0) groups[groups.length - 1] = true;
      if (q) i += q.length;
      continue;
    }
    const q = quantifierAt(pattern, i);
    if (q) {
      if (q.unbounded && groups.length > 0) groups[groups.length - 1] = true;
      i += q.length;
      continue;
    }
    lastGroupHadQuantifier = false;
    i++;
  }
  return undefined;
}

function skipClass(pattern: string, start: number): number {
  let i = start + 1;
  while (i < pattern.length && pattern[i] !== "]") i += pattern[i] === "\\" ? 2 : 1;
  return i + 1;
}

/** A quantifier starting at `i`; `unbounded` when it allows many repetitions (`*`, `+`, `{n,}`, `{n,m}` with m > 1). */
function quantifierAt(pattern: string, i: number): { length: number; unbounded: boolean } | undefined {
  const c = pattern[i];
  let length = 0;
  let unbounded = false;
  if (c === "*" || c === "+") {
    length = 1;
    unbounded = true;
  } else if (c === "?") {
    length = 1;
  } else if (c === "{") {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
    if (!m) return undefined;
    length = m[0].length;
    const max = m[2] === undefined ? Number(m[1]) : m[3] === "" ? Number.POSITIVE_INFINITY : Number(m[3]);
    unbounded = max > 1;
  } else {
    return undefined;
  }
  // Lazy and possessive-looking suffixes do not change the backtracking risk.
  if (pattern[i + length] === "?") length++;
  return { length, unbounded };
}
