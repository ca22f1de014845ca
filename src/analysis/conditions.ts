import { Environment } from "@marcbachmann/cel-js";
import { MAX_MATCH_INPUT, unsafePatternReason } from "./regex-guard.js";

/** A successCondition or failureCondition, parsed and type-checked once. */
export interface CompiledCondition {
  readonly expression: string;
  /** Set when the condition calls `matches`, so long strings in the result are refused. */
  readonly usesMatches: boolean;
  /** @internal evaluates against a prepared `result`; use {@link evaluateCondition}. */
  readonly run: (result: unknown) => unknown;
}

/** A condition that does not parse or type-check. `position` is a 0-based offset into the expression. */
export class ConditionError extends Error {
  readonly expression: string;
  readonly position: number | undefined;
  constructor(message: string, opts: { expression: string; position?: number; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "ConditionError";
    this.expression = opts.expression;
    this.position = opts.position;
  }
}

/** The outcome of checking a condition without evaluating it. */
export type ConditionCheck = { ok: true } | { ok: false; message: string; position?: number };

const ARITHMETIC = ["+", "-", "*", "/"] as const;

function arithmetic(op: (typeof ARITHMETIC)[number], a: number, b: number): number {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return a / b;
  }
}

function isEmptyValue(x: unknown): boolean {
  if (typeof x === "string" || Array.isArray(x)) return x.length === 0;
  if (x instanceof Map) return x.size === 0;
  if (x !== null && typeof x === "object") return Object.keys(x).length === 0;
  throw new Error(`isEmpty() needs a list, map or string, got ${x === null ? "null" : typeof x}`);
}

interface DefaultMacro {
  value: unknown;
  fallback: unknown;
}

/**
 * One environment for every condition. Results arrive as JS numbers, which CEL sees as doubles;
 * users write integer literals (`result >= 1`, `result * 100`). Comparisons between int and double
 * already work in CEL, arithmetic does not, so mixed arithmetic overloads are registered here.
 */
function createEnvironment(): Environment {
  const env = new Environment().registerVariable("result", "dyn");
  for (const op of ARITHMETIC) {
    env.registerOperator(`double ${op} int`, (a: number, b: bigint) => arithmetic(op, a, Number(b)));
    env.registerOperator(`int ${op} double`, (a: bigint, b: number) => arithmetic(op, Number(a), b));
  }
  env.registerFunction("isNaN(dyn): bool", (x: unknown) => typeof x === "number" && Number.isNaN(x));
  env.registerFunction("isEmpty(dyn): bool", (x: unknown) => isEmptyValue(x));
  // A macro, not a function: a function's argument would fail on a missing key before it is called.
  env.registerFunction("default(ast, ast): dyn", ({ args }: { args: unknown[] }) => ({
    value: args[0],
    fallback: args[1],
    typeCheck(checker: { check(ast: unknown, ctx: unknown): unknown }, macro: DefaultMacro, ctx: unknown) {
      checker.check(macro.value, ctx);
      return checker.check(macro.fallback, ctx);
    },
    evaluate(evaluator: { run(ast: unknown, ctx: unknown): unknown }, macro: DefaultMacro, ctx: unknown) {
      try {
        return evaluator.run(macro.value, ctx);
      } catch {
        return evaluator.run(macro.fallback, ctx);
      }
    },
  }));
  return env;
}

const env = createEnvironment();

const CACHE_LIMIT = 1000;
const cache = new Map<string, CompiledCondition | ConditionError>();

interface CelErrorLike {
  summary?: string;
  message?: string;
  range?: { start: number; end: number };
}

function toConditionError(expression: string, err: unknown): ConditionError {
  const e = (err ?? {}) as CelErrorLike;
  const message = e.summary ?? e.message?.split("\n")[0] ?? String(err);
  const position = e.range?.start;
  return new ConditionError(message, { expression, cause: err, ...(position === undefined ? {} : { position }) });
}

interface AstNode {
  op: string;
  args: unknown;
  pos?: number;
}

function isAstNode(v: unknown): v is AstNode {
  return v !== null && typeof v === "object" && "op" in v && "args" in v;
}

/** Walks the AST for `matches` calls and vets their patterns. Returns whether any were found. */
function vetMatches(expression: string, root: unknown): boolean {
  let found = false;
  const seen = new Set<unknown>();
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    if (!isAstNode(v)) {
      for (const x of Object.values(v)) visit(x);
      return;
    }
    const args = Array.isArray(v.args) ? v.args : [];
    // Only the receiver form `s.matches(p)` exists in this CEL implementation.
    if (v.op === "rcall" && args[0] === "matches") {
      found = true;
      const pattern = (args[2] as unknown[] | undefined)?.[0];
      const opts = { expression, ...(v.pos === undefined ? {} : { position: v.pos }) };
      if (!isAstNode(pattern) || pattern.op !== "value" || typeof pattern.args !== "string")
        throw new ConditionError("matches() needs a string literal pattern, so it can be vetted", opts);
      const reason = unsafePatternReason(pattern.args);
      if (reason) throw new ConditionError(`matches() pattern refused: ${reason}`, opts);
    }
    visit(v.args);
  };
  visit(root);
  return found;
}

function compileUncached(expression: string): CompiledCondition {
  if (expression.trim() === "") throw new ConditionError("condition is empty", { expression });
  let parsed: ReturnType<Environment["parse"]>;
  try {
    parsed = env.parse(expression);
  } catch (err) {
    throw toConditionError(expression, err);
  }
  const checked = parsed.check();
  if (!checked.valid) throw toConditionError(expression, checked.error);
  if (checked.type !== "bool" && checked.type !== "dyn")
    throw new ConditionError(`condition must be a boolean, but this expression is ${checked.type}`, {
      expression,
      position: 0,
    });
  const usesMatches = vetMatches(expression, parsed.ast);
  return { expression, usesMatches, run: (result) => parsed({ result }) };
}

/**
 * Parses and type-checks a condition, cached by its text (the loop evaluates the same few
 * conditions over and over). Throws {@link ConditionError}.
 */
export function compileCondition(expression: string): CompiledCondition {
  let entry = cache.get(expression);
  if (!entry) {
    try {
      entry = compileUncached(expression);
    } catch (err) {
      entry = err instanceof ConditionError ? err : toConditionError(expression, err);
    }
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(expression, entry);
  }
  if (entry instanceof ConditionError) throw entry;
  return entry;
}

/** Checks a condition without evaluating it, for template validation. */
export function checkCondition(expression: string): ConditionCheck {
  try {
    compileCondition(expression);
    return { ok: true };
  } catch (err) {
    const e = err instanceof ConditionError ? err : toConditionError(expression, err);
    return e.position === undefined
      ? { ok: false, message: e.message }
      : { ok: false, message: e.message, position: e.position };
  }
}

/**
 * Renders the expression indented by two spaces with a caret under `position`, e.g.
 * `  result >= 0.99 &&\n                    ^`.
 */
export function renderCaret(expression: string, position?: number): string {
  const lines = expression.split("\n");
  if (position === undefined) return lines.map((l) => `  ${l}`).join("\n");
  const out: string[] = [];
  let offset = 0;
  let placed = false;
  for (const [i, line] of lines.entries()) {
    out.push(`  ${line}`);
    const end = offset + line.length;
    if (!placed && (position <= end || i === lines.length - 1)) {
      out.push(`  ${" ".repeat(Math.max(0, Math.min(position, end) - offset))}^`);
      placed = true;
    }
    offset = end + 1;
  }
  return out.join("\n");
}

/** A condition problem in one line of words followed by the caret rendering. */
export function formatConditionProblem(expression: string, check: Extract<ConditionCheck, { ok: false }>): string {
  return `${check.message}\n${renderCaret(expression, check.position)}`;
}

/**
 * Turns a provider's value into what CEL should see: numbers as doubles (bigints too), objects
 * without undefined fields. Strings longer than {@link MAX_MATCH_INPUT} are refused when the
 * condition uses `matches`.
 */
function prepare(value: unknown, usesMatches: boolean): unknown {
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string") {
    if (usesMatches && value.length > MAX_MATCH_INPUT)
      throw new Error(`a string in the result is ${value.length} characters; matches() accepts ${MAX_MATCH_INPUT}`);
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => prepare(v, usesMatches));
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = prepare(v, usesMatches);
    return out;
  }
  return value;
}

/**
 * Evaluates a compiled condition against a provider's result. Never throws: a missing key, a type
 * mismatch or a non-boolean outcome comes back as `{ error }`, which makes the measurement an Error.
 * NaN compares false with everything, so a NaN result makes any comparison false.
 */
export function evaluateCondition(compiled: CompiledCondition, result: unknown): boolean | { error: string } {
  try {
    const out = compiled.run(prepare(result, compiled.usesMatches));
    if (typeof out !== "boolean")
      return { error: `condition ${compiled.expression} gave ${describeValue(out)}, not a boolean` };
    return out;
  } catch (err) {
    const e = (err ?? {}) as CelErrorLike;
    const message = e.summary ?? (err instanceof Error ? err.message : String(err));
    return { error: `condition ${compiled.expression} failed: ${message}` };
  }
}

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "bigint") return `${v} (int)`;
  if (typeof v === "number") return `${v} (double)`;
  if (typeof v === "string") return `"${v}" (string)`;
  return typeof v;
}
