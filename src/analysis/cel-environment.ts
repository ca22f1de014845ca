import { Environment } from "@marcbachmann/cel-js";
import { MAX_PATTERN_LENGTH, matcherFor } from "./regex-guard.js";

/**
 * The name `s.matches(p)` is rewritten to before type-checking. cel-js's own `matches` runs a
 * JavaScript RegExp, which backtracks; this one runs RE2. Users never write it (the compiler
 * refuses it in their text).
 */
export const RE2_MATCHES = "sluiceRe2Matches";

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

function re2Matches(input: string, pattern: string): boolean {
  // The compiler vets literal patterns; this guards the cache against anything else.
  if (pattern.length > MAX_PATTERN_LENGTH) throw new Error(`matches() pattern is longer than ${MAX_PATTERN_LENGTH}`);
  return matcherFor(pattern).test(input);
}

interface DefaultMacro {
  value: unknown;
  fallback: unknown;
}

/**
 * The one CEL environment for every condition, on the controller's thread (compile, check) and in
 * the evaluation worker. Results arrive as JS numbers, which CEL sees as doubles; users write
 * integer literals (`result >= 1`, `result * 100`). Comparisons between int and double already
 * work in CEL, arithmetic does not, so mixed arithmetic overloads are registered here.
 */
export function createConditionEnvironment(): Environment {
  const env = new Environment({
    // Conditions are one line of logic; these bound the parser's work on hostile text.
    limits: { maxAstNodes: 2000, maxDepth: 50, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 8 },
  }).registerVariable("result", "dyn");
  for (const op of ARITHMETIC) {
    env.registerOperator(`double ${op} int`, (a: number, b: bigint) => arithmetic(op, a, Number(b)));
    env.registerOperator(`int ${op} double`, (a: bigint, b: number) => arithmetic(op, Number(a), b));
  }
  env.registerFunction("isNaN(dyn): bool", (x: unknown) => typeof x === "number" && Number.isNaN(x));
  env.registerFunction("isEmpty(dyn): bool", (x: unknown) => isEmptyValue(x));
  env.registerFunction(`string.${RE2_MATCHES}(string): bool`, re2Matches);
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
