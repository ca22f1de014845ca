import { closingIndex, type ExprToken, openingIndex, tokenizeExpr } from "./expr-tokens.js";

/** An Argo condition in CEL. `problems` lists what could not be translated; `cel` is then best effort. */
export interface CelTranslation {
  cel: string;
  problems: string[];
}

/** expr-lang functions with the same meaning in Sluice's CEL under another name (or the same). */
const FUNCTIONS: Record<string, string> = {
  len: "size",
  asInt: "int",
  asFloat: "double",
  isNaN: "isNaN",
  default: "default",
  int: "int",
  float: "double",
  string: "string",
};

/** expr-lang predicates `all(list, {# > 1})` and the CEL macro each becomes. */
const PREDICATES: Record<string, string> = {
  all: "all",
  any: "exists",
  one: "exists_one",
  filter: "filter",
  map: "map",
};

const NAMES: Record<string, string> = { result: "result", true: "true", false: "false", nil: "null" };

/** Infix string operators of expr-lang; CEL writes them as methods: `a matches "x"` -> `a.matches("x")`. */
const STRING_OPERATORS = new Set(["matches", "contains", "startsWith", "endsWith"]);

const UNSUPPORTED_OPS: Record<string, string> = {
  "**": "the ** operator",
  "^": "the ^ operator",
  "??": "the ?? operator",
  "?.": "the ?. operator",
  "..": "ranges (..)",
  "|": "pipes (|)",
};

const ARITHMETIC = new Set(["+", "-", "*", "/", "%", "**", "^"]);
const CLOSURE_VARS = ["x", "y", "z", "w"];

/** Own properties only, so `constructor` is not mistaken for a known name. */
const lookup = (table: Record<string, string>, key: string): string | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined;

const tok = (kind: ExprToken["kind"], text: string, ws = ""): ExprToken => ({ kind, text, ws });
const isOp = (t: ExprToken | undefined, text: string) => t?.kind === "op" && t.text === text;

/** Index of the first token of the operand ending at `end`, or -1 when there is none. */
function operandStart(ts: ExprToken[], end: number): number {
  let j = end;
  for (;;) {
    const t = ts[j];
    if (t === undefined) return -1;
    if (isOp(t, ")") || isOp(t, "]")) {
      j = openingIndex(ts, j);
      if (j < 0) return -1;
      const before = ts[j - 1];
      if (before && (before.kind === "ident" || isOp(before, ")") || isOp(before, "]"))) {
        j--;
        continue;
      }
      return j;
    }
    if (t.kind === "ident" || t.kind === "number" || t.kind === "string") {
      if (isOp(ts[j - 1], ".")) {
        j -= 2;
        continue;
      }
      return j;
    }
    return -1;
  }
}

/** Index just past the operand starting at `start` (a primary and its `.x`, `[i]`, `(args)`), or -1. */
function operandEnd(ts: ExprToken[], start: number): number {
  const t = ts[start];
  if (t === undefined) return -1;
  let j: number;
  if (t.kind === "ident" || t.kind === "number" || t.kind === "string") j = start + 1;
  else if (isOp(t, "(") || isOp(t, "[")) j = closingIndex(ts, start) + 1;
  else return -1;
  if (j <= 0) return -1;
  for (;;) {
    const n = ts[j];
    if (isOp(n, ".") && ts[j + 1]?.kind === "ident") j += 2;
    else if (isOp(n, "[") || isOp(n, "(")) {
      const c = closingIndex(ts, j);
      if (c < 0) return -1;
      j = c + 1;
    } else return j;
  }
}

/** Rewrites `a matches b` into `a.matches(b)` where both operands are plain; reports the rest. */
function rewriteStringOperators(input: ExprToken[], problems: string[]): ExprToken[] {
  const ts = [...input];
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i] as ExprToken;
    if (t.kind !== "word" || !STRING_OPERATORS.has(t.text)) continue;
    const left = operandStart(ts, i - 1);
    const right = operandEnd(ts, i + 1);
    const before = ts[left - 1];
    const after = ts[right];
    const mixed = (x: ExprToken | undefined) => x?.kind === "op" && ARITHMETIC.has(x.text);
    if (left < 0 || right < 0 || mixed(before) || mixed(after) || isOp(before, "!")) {
      problems.push(`the ${t.text} operator here (write it as a method call, e.g. a.${t.text}(b))`);
      continue;
    }
    const arg = ts.slice(i + 1, right).map((x, k) => (k === 0 ? { ...x, ws: "" } : x));
    const call = [tok("op", "."), tok("ident", t.text), tok("op", "("), ...arg, tok("op", ")")];
    ts.splice(i, right - i, ...call);
    i += call.length - 1;
  }
  return ts;
}

/** Splits the tokens between `from` and `to` (exclusive) at top-level commas. */
function splitArgs(ts: ExprToken[], from: number, to: number): [number, number][] {
  const parts: [number, number][] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < to; i++) {
    const t = ts[i] as ExprToken;
    if (t.kind !== "op") continue;
    if (t.text === "(" || t.text === "[" || t.text === "{") depth++;
    else if (t.text === ")" || t.text === "]" || t.text === "}") depth--;
    else if (t.text === "," && depth === 0) {
      parts.push([start, i]);
      start = i + 1;
    }
  }
  if (to > from) parts.push([start, to]);
  return parts;
}

/** Whether the brackets opening at `open` hold a slice `a:b` rather than an index or a list. */
function hasSlice(ts: ExprToken[], open: number): boolean {
  const close = closingIndex(ts, open);
  let depth = 0;
  let questions = 0;
  for (let i = open + 1; i < close; i++) {
    const t = ts[i] as ExprToken;
    if (t.kind !== "op") continue;
    if (t.text === "(" || t.text === "[" || t.text === "{") depth++;
    else if (t.text === ")" || t.text === "]" || t.text === "}") depth--;
    else if (depth === 0 && t.text === "?") questions++;
    else if (depth === 0 && t.text === ":" && questions-- <= 0) return true;
  }
  return false;
}

const SIMPLE_RECEIVER = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*|\[[^\]]*\])*$/;

interface Scope {
  /** The CEL variable `#` stands for inside the innermost predicate, if any. */
  closureVar?: string;
  depth: number;
}

function emit(ts: ExprToken[], from: number, to: number, scope: Scope, problems: string[]): string {
  let out = "";
  let trimNext = false;
  for (let i = from; i < to; i++) {
    const t = ts[i] as ExprToken;
    const ws = trimNext ? "" : t.ws;
    trimNext = false;
    const next = ts[i + 1];
    if (t.kind === "word") {
      if (t.text === "and") out += `${ws}&&`;
      else if (t.text === "or") out += `${ws}||`;
      else if (t.text === "in") out += `${ws}in`;
      else if (t.text === "not") {
        if (next?.kind === "word" && next.text === "in") problems.push("the not in operator (write !(a in b))");
        out += `${ws}!`;
        trimNext = true;
      } else out += ws + t.text; // a string operator the rewrite could not place; already reported
      continue;
    }
    if (t.kind === "ident") {
      const member = isOp(ts[i - 1], ".") || isOp(ts[i - 1], "?.");
      if (member) {
        out += ws + t.text;
        continue;
      }
      const calls = isOp(next, "(");
      const predicate = lookup(PREDICATES, t.text) ?? (t.text === "none" ? "none" : undefined);
      if (calls && predicate !== undefined) {
        const close = closingIndex(ts, i + 1);
        const args = close < 0 ? [] : splitArgs(ts, i + 2, close);
        const [list, body] = args;
        const open = body ? body[0] : -1;
        if (args.length === 2 && list && body && isOp(ts[open], "{") && closingIndex(ts, open) === body[1] - 1) {
          const v = CLOSURE_VARS[scope.depth] ?? `v${scope.depth}`;
          const recv = emit(ts, list[0], list[1], scope, problems).trim();
          const inner = { closureVar: v, depth: scope.depth + 1 };
          const pred = emit(ts, open + 1, body[1] - 1, inner, problems).trim();
          const receiver = SIMPLE_RECEIVER.test(recv) ? recv : `(${recv})`;
          const macro = predicate === "none" ? "exists" : predicate;
          out += `${ws}${predicate === "none" ? "!" : ""}${receiver}.${macro}(${v}, ${pred})`;
          i = close;
          continue;
        }
        problems.push(`${t.text}() without a {predicate}`);
        out += ws + t.text;
        continue;
      }
      if (calls) {
        const fn = lookup(FUNCTIONS, t.text);
        if (fn === undefined) problems.push(`the function ${t.text}()`);
        out += ws + (fn ?? t.text);
        continue;
      }
      const name = lookup(NAMES, t.text);
      if (name === undefined) problems.push(`the name ${t.text} (only result is known)`);
      out += ws + (name ?? t.text);
      continue;
    }
    if (t.kind === "number") {
      out += ws + t.text.replaceAll("_", "");
      continue;
    }
    if (t.kind === "string") {
      // Backtick strings are raw in expr-lang; CEL spells that r"...".
      if (t.text.startsWith("`")) {
        const body = t.text.slice(1, -1);
        if (body.includes('"') || body.includes("\n")) problems.push("a `raw` string with quotes or newlines");
        out += `${ws}r"${body}"`;
      } else out += ws + t.text;
      continue;
    }
    if (t.text === "#") {
      if (scope.closureVar === undefined) problems.push("# outside a predicate");
      out += ws + (scope.closureVar ?? "#");
      continue;
    }
    if (t.text === "[" && hasSlice(ts, i)) problems.push("slices ([a:b])");
    if (t.text === "{" || t.text === "}") {
      problems.push("map literals ({...})");
      out += ws + t.text;
      continue;
    }
    const unsupported = lookup(UNSUPPORTED_OPS, t.text);
    if (unsupported !== undefined) problems.push(unsupported);
    out += ws + t.text;
  }
  return out;
}

/**
 * Translates an Argo Rollouts condition (expr-lang) to CEL: `and`/`or`/`not` become `&&`/`||`/`!`,
 * `len(x)` becomes `size(x)`, `asInt`/`asFloat` become `int`/`double`, `nil` becomes `null`,
 * `all(xs, {# > 1})` becomes `xs.all(x, x > 1)` (also `any`, `none`, `one`, `filter`, `map`),
 * `a matches "re"` becomes `a.matches("re")`. `isNaN` and `default` are Sluice helpers and stay.
 * Comparisons, arithmetic, indexing, `in` and `?:` are the same in both languages.
 */
export function exprToCel(expr: string): CelTranslation {
  const problems: string[] = [];
  let tokens: ExprToken[];
  try {
    tokens = tokenizeExpr(expr);
  } catch (err) {
    return { cel: expr, problems: [err instanceof Error ? err.message : String(err)] };
  }
  const rewritten = rewriteStringOperators(tokens, problems);
  const cel = emit(rewritten, 0, rewritten.length, { depth: 0 }, problems).trim();
  return { cel, problems: [...new Set(problems)] };
}
