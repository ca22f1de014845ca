/**
 * A small, safe subset of JSONPath for picking one value out of a web response:
 * `$`, `.key`, `[0]` (negative counts from the end), `['key']` and `["key"]`, optionally wrapped
 * in braces as Argo writes it (`{$.data.ok}`). No filters, wildcards or script: a selector only
 * walks down, and only through a value's own properties (never `__proto__` or methods).
 */
export type PathSegment = { key: string } | { index: number };

/** A selector that could not be parsed, with the reason. */
export class JsonPathSyntaxError extends Error {
  override readonly name = "JsonPathSyntaxError";
}

/** Parses a selector such as `{$.items[0]['the value']}` into segments. */
export function parseJsonPath(expr: string): PathSegment[] {
  let s = expr.trim();
  if (s.startsWith("{") && s.endsWith("}")) s = s.slice(1, -1).trim();
  if (!s.startsWith("$")) throw new JsonPathSyntaxError(`selector ${expr} must start with $`);
  const segments: PathSegment[] = [];
  let i = 1;
  while (i < s.length) {
    const c = s[i];
    if (c === ".") {
      const m = /^[^.[\]'"\s]+/.exec(s.slice(i + 1));
      if (!m) throw new JsonPathSyntaxError(`selector ${expr} has an empty key at position ${i + 1}`);
      segments.push({ key: m[0] });
      i += 1 + m[0].length;
    } else if (c === "[") {
      const rest = s.slice(i);
      const idx = /^\[\s*(-?\d+)\s*\]/.exec(rest);
      const quoted = /^\[\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*\]/.exec(rest);
      if (idx?.[1] !== undefined) {
        segments.push({ index: Number(idx[1]) });
        i += idx[0].length;
      } else if (quoted) {
        const raw = quoted[1] ?? quoted[2] ?? "";
        segments.push({ key: raw.replace(/\\(.)/g, "$1") });
        i += quoted[0].length;
      } else {
        throw new JsonPathSyntaxError(`selector ${expr} has a bracket at position ${i + 1} that is not [n] or ['key']`);
      }
    } else {
      throw new JsonPathSyntaxError(`selector ${expr} has an unexpected ${JSON.stringify(c)} at position ${i + 1}`);
    }
  }
  return segments;
}

function describe(segments: PathSegment[]): string {
  return `$${segments.map((seg) => ("index" in seg ? `[${seg.index}]` : `.${seg.key}`)).join("")}`;
}

/** The value at `segments`, or the reason nothing is there (naming the deepest part that matched). */
export function selectJsonPath(value: unknown, segments: PathSegment[]): { value: unknown } | { missing: string } {
  let cur: unknown = value;
  for (const [n, seg] of segments.entries()) {
    const here = describe(segments.slice(0, n));
    if ("index" in seg) {
      if (!Array.isArray(cur)) return { missing: `${here} is not an array` };
      const i = seg.index < 0 ? cur.length + seg.index : seg.index;
      if (i < 0 || i >= cur.length) return { missing: `${here} has ${cur.length} elements, no [${seg.index}]` };
      cur = cur[i];
    } else {
      if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return { missing: `${here} is not an object` };
      if (!Object.hasOwn(cur, seg.key)) return { missing: `${here} has no key ${JSON.stringify(seg.key)}` };
      cur = (cur as Record<string, unknown>)[seg.key];
    }
  }
  return { value: cur };
}
