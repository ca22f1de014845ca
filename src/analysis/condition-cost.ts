import { RE2_MATCHES } from "./cel-environment.js";
import { MAX_RESULT_VALUES } from "./result-bounds.js";

/**
 * Most evaluation steps a condition may cost in the worst case. One step is one expression node
 * evaluated, about 20–300 ns in cel-js (measured), so the budget is 20–300 ms at worst; the
 * evaluation deadline stops anything the estimate missed.
 */
export const COST_BUDGET = 1_000_000;

/** What a call that scans a string or a list is charged, on top of its one step. */
export const SCAN_COST = 10;

/** Marks a range rooted at `result` itself; `$` cannot start a CEL identifier, so no variable has this name. */
const RESULT_ROOT = "$result";

const COMPREHENSIONS = new Set(["all", "exists", "exists_one", "map", "filter"]);
const SCANNING_CALLS = new Set([
  "contains",
  "startsWith",
  "endsWith",
  "indexOf",
  "lastIndexOf",
  "lowerAscii",
  "upperAscii",
  "trim",
  "substring",
  "split",
  "join",
  "matches",
  RE2_MATCHES,
]);
const SCANNING_OPERATORS = new Set(["in", "==", "!="]);

interface Node {
  op: string;
  args: unknown;
}

function isNode(v: unknown): v is Node {
  return v !== null && typeof v === "object" && "op" in v && "args" in v;
}

/** `cost` is per evaluation; `amortized` holds loops over parts of a variable's element, charged once per loop of that variable. */
interface Estimate {
  cost: number;
  amortized: Map<string, number>;
}

/** For each variable in scope: whether its element is a disjoint part of `result`. */
type Scope = ReadonlyMap<string, boolean>;

function merge(into: Map<string, number>, from: Map<string, number>, times = 1): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v * times);
}

/**
 * The variable a range is a part of: `result`, or a loop variable that is itself a part of
 * `result`, followed only by field and index access. Loops over such parts of one element together
 * visit at most {@link MAX_RESULT_VALUES} items, however many elements there are.
 */
function rootOf(node: unknown, scope: Scope): string | undefined {
  let n = node;
  while (isNode(n) && (n.op === "." || n.op === "[]")) n = (n.args as unknown[])[0];
  if (!isNode(n) || n.op !== "id" || typeof n.args !== "string") return undefined;
  if (n.args === "result" && !scope.has("result")) return RESULT_ROOT;
  return scope.get(n.args) === true ? n.args : undefined;
}

/** Longest a range can be: a literal list's length, a concatenation's sum, otherwise the result's bound. */
function rangeSize(node: unknown): number {
  if (isNode(node) && node.op === "list" && Array.isArray(node.args)) return node.args.length;
  if (isNode(node) && node.op === "+" && Array.isArray(node.args))
    return node.args.reduce((sum: number, a) => sum + rangeSize(a), 0);
  return MAX_RESULT_VALUES;
}

function estimateComprehension(node: Node, scope: Scope): Estimate {
  const [, range, macroArgs] = node.args as [string, unknown, unknown[]];
  const variable = macroArgs[0] as Node;
  const name = variable.args as string;
  const r = estimate(range, scope);
  const root = rootOf(range, scope);
  const inner = new Map(scope).set(name, root !== undefined);
  const body: Estimate = { cost: 0, amortized: new Map() };
  for (const b of macroArgs.slice(1)) {
    const e = estimate(b, inner);
    body.cost += e.cost;
    merge(body.amortized, e.amortized);
  }
  const n = rangeSize(range);
  const loop = n * body.cost + (body.amortized.get(name) ?? 0);
  body.amortized.delete(name);
  const amortized = new Map(r.amortized);
  merge(amortized, body.amortized, n);
  if (root !== undefined && root !== RESULT_ROOT) {
    // A part of an enclosing loop's element: charged once for that whole loop.
    merge(amortized, new Map([[root, loop]]));
    return { cost: r.cost + 1, amortized };
  }
  return { cost: r.cost + 1 + loop, amortized };
}

function estimate(node: unknown, scope: Scope): Estimate {
  if (Array.isArray(node)) {
    const out: Estimate = { cost: 0, amortized: new Map() };
    for (const x of node) {
      const e = estimate(x, scope);
      out.cost += e.cost;
      merge(out.amortized, e.amortized);
    }
    return out;
  }
  if (!isNode(node)) return { cost: 0, amortized: new Map() };
  const args = Array.isArray(node.args) ? (node.args as unknown[]) : [];
  if (node.op === "rcall" && COMPREHENSIONS.has(args[0] as string) && isNode((args[2] as unknown[])?.[0]))
    return estimateComprehension(node, scope);
  const children = estimate(args, scope);
  const scans = (node.op === "rcall" || node.op === "call") && SCANNING_CALLS.has(args[0] as string);
  const extra = scans || SCANNING_OPERATORS.has(node.op) ? SCAN_COST : 0;
  return { cost: 1 + extra + children.cost, amortized: children.amortized };
}

/**
 * The worst-case number of evaluation steps of a parsed condition, Kubernetes-style: a loop costs
 * its body times the longest its list can be ({@link MAX_RESULT_VALUES} unless it is a literal),
 * so nested loops multiply. A loop over a part of an enclosing loop's element (`result.all(s,
 * s.all(v, v < 1))`) is charged once for the enclosing loop, since all those parts together hold at
 * most {@link MAX_RESULT_VALUES} values.
 */
export function estimateConditionCost(ast: unknown): number {
  const e = estimate(ast, new Map());
  let total = e.cost;
  for (const v of e.amortized.values()) total += v;
  return total;
}
