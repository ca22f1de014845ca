import type { PathSegment } from "./errors.js";
import type { FieldIssue } from "./issues.js";
import { MAX_NESTING_DEPTH } from "./limits.js";

/**
 * Keys JavaScript treats specially: `__proto__` is dropped or replaces an object's prototype when
 * copied, and the others shadow what every object inherits. Never a meaningful field in a manifest.
 */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Checks a decoded document before any schema sees it: nesting no deeper than
 * {@link MAX_NESTING_DEPTH} and no {@link FORBIDDEN_KEYS}. Iterative, so no input can exhaust the
 * stack; stops at the first problem that would make walking further pointless (too deep).
 */
export function rawIssues(root: unknown): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const stack: { value: unknown; path: PathSegment[] }[] = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: unknown; path: PathSegment[] };
    if (typeof value !== "object" || value === null) continue;
    if (path.length >= MAX_NESTING_DEPTH) {
      return [
        {
          path,
          message: `nested deeper than ${MAX_NESTING_DEPTH} levels; no Sluice resource needs that many`,
        },
      ];
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, i] });
      continue;
    }
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i] as string;
      if (FORBIDDEN_KEYS.has(key)) {
        issues.push({ path: [...path, key], message: `the key "${key}" is not allowed` });
        continue;
      }
      stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  return issues;
}
