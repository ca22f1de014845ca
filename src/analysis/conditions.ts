import type { Environment } from "@marcbachmann/cel-js";
import { createConditionEnvironment, RE2_MATCHES } from "./cel-environment.js";
import { COST_BUDGET, estimateConditionCost } from "./condition-cost.js";
import { evaluateInSandbox } from "./condition-sandbox.js";
import { unsafePatternReason } from "./regex-guard.js";
import { boundedResult, ResultTooLargeError } from "./result-bounds.js";

/** A successCondition or failureCondition, parsed and type-checked once. */
export interface CompiledCondition {
  readonly expression: string;
  /** Worst-case evaluation steps, from {@link estimateConditionCost}; at most {@link COST_BUDGET}. */
  readonly cost: number;
  /** @internal evaluates on the calling thread with no deadline; use {@link evaluateCondition}. */
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

const env = createConditionEnvironment();

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

/**
 * Walks the AST for `matches` calls, vets their patterns and points them at the RE2 implementation
 * (see {@link RE2_MATCHES}). Runs before type-checking, which binds each call to its function.
 */
function vetMatches(expression: string, root: unknown): void {
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
    const opts = { expression, ...(v.pos === undefined ? {} : { position: v.pos }) };
    if ((v.op === "rcall" || v.op === "call") && args[0] === RE2_MATCHES)
      throw new ConditionError(`unknown function ${RE2_MATCHES}; use matches()`, opts);
    // Only the receiver form `s.matches(p)` exists in this CEL implementation.
    if (v.op === "rcall" && args[0] === "matches") {
      const pattern = (args[2] as unknown[] | undefined)?.[0];
      if (!isAstNode(pattern) || pattern.op !== "value" || typeof pattern.args !== "string")
        throw new ConditionError("matches() needs a string literal pattern, so it can be vetted", opts);
      const reason = unsafePatternReason(pattern.args);
      if (reason) throw new ConditionError(`matches() pattern refused: ${reason}`, opts);
      args[0] = RE2_MATCHES;
    }
    visit(v.args);
  };
  visit(root);
}

function compileUncached(expression: string): CompiledCondition {
  if (expression.trim() === "") throw new ConditionError("condition is empty", { expression });
  let parsed: ReturnType<Environment["parse"]>;
  try {
    parsed = env.parse(expression);
  } catch (err) {
    throw toConditionError(expression, err);
  }
  vetMatches(expression, parsed.ast);
  const checked = parsed.check();
  if (!checked.valid) throw toConditionError(expression, checked.error);
  if (checked.type !== "bool" && checked.type !== "dyn")
    throw new ConditionError(`condition must be a boolean, but this expression is ${checked.type}`, {
      expression,
      position: 0,
    });
  const cost = estimateConditionCost(parsed.ast);
  if (cost > COST_BUDGET)
    throw new ConditionError(
      `condition may cost ${cost.toExponential(1)} evaluation steps, over the budget of ${COST_BUDGET.toExponential(0)}: loops over lists multiply, so avoid nesting loops over the whole result`,
      { expression, position: 0 },
    );
  return { expression, cost, run: (result) => parsed({ result }) };
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

type Outcome = boolean | { error: string };

function outcomeOf(compiled: CompiledCondition, out: unknown): Outcome {
  if (typeof out === "boolean") return out;
  return { error: `condition ${compiled.expression} gave ${describeValue(out)}, not a boolean` };
}

function failure(compiled: CompiledCondition, err: unknown): Outcome {
  const e = (err ?? {}) as CelErrorLike;
  const message = e.summary ?? (err instanceof Error ? err.message : String(err));
  return { error: `condition ${compiled.expression} failed: ${message}` };
}

/**
 * Evaluates a compiled condition on the calling thread, with no deadline. Only the evaluation
 * process calls it; everything else calls {@link evaluateCondition}. Never throws.
 */
export function runCondition(compiled: CompiledCondition, result: unknown): Outcome {
  try {
    return outcomeOf(compiled, compiled.run(boundedResult(result)));
  } catch (err) {
    return failure(compiled, err);
  }
}

/**
 * Evaluates a compiled condition against a provider's result, in the evaluation process under a
 * deadline, so no condition can hold the controller's event loop. Never throws: a missing key, a
 * type mismatch, a result over the size bounds, a non-boolean outcome or a run past the deadline
 * comes back as `{ error }`, which makes the measurement an Error. NaN compares false with
 * everything, so a NaN result makes any comparison false.
 */
export async function evaluateCondition(compiled: CompiledCondition, result: unknown): Promise<Outcome> {
  let bounded: unknown;
  try {
    bounded = boundedResult(result);
  } catch (err) {
    if (err instanceof ResultTooLargeError) return failure(compiled, err);
    throw err;
  }
  const out = await evaluateInSandbox(compiled.expression, bounded);
  if ("stopped" in out) return { error: `condition ${compiled.expression} failed: ${out.stopped}` };
  return "error" in out ? { error: out.error } : out.value;
}

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "bigint") return `${v} (int)`;
  if (typeof v === "number") return `${v} (double)`;
  if (typeof v === "string") return `"${v}" (string)`;
  return typeof v;
}
