import type { Metric } from "../model/index.js";

const PATH = /\bresult((?:\.[A-Za-z_]\w*|\[\d+\])+)/g;
const MAX_LENGTH = 200;

/**
 * The part of a measured value a person needs to see: for structured results, only the fields
 * the metric's conditions read (`result.canary.successRate=0.8512`), so a decision reads as the
 * numbers behind it rather than a JSON dump.
 *
 * @example summarizeValue(metric, '{"canary":{"successRate":0.85123,"p95":12}}') // "result.canary.successRate=0.8512"
 */
export function summarizeValue(
  metric: Pick<Metric, "successCondition" | "failureCondition">,
  valueJson: string | undefined,
): string {
  if (valueJson === undefined) return "none";
  let value: unknown;
  try {
    value = JSON.parse(valueJson);
  } catch {
    return clip(valueJson);
  }
  if (value === null || typeof value !== "object") return clip(render(value));
  const paths = new Set<string>();
  for (const cond of [metric.successCondition, metric.failureCondition])
    for (const m of cond?.matchAll(PATH) ?? []) paths.add(m[1] ?? "");
  if (paths.size === 0) return clip(valueJson);
  return clip([...paths].map((p) => `result${p}=${render(read(value, p))}`).join(", "));
}

function read(value: unknown, path: string): unknown {
  let current = value;
  for (const [, key, index] of path.matchAll(/\.([A-Za-z_]\w*)|\[(\d+)\]/g)) {
    if (current === null || typeof current !== "object") return undefined;
    const k = key ?? Number(index);
    current = Object.hasOwn(current as object, k) ? (current as Record<string | number, unknown>)[k] : undefined;
  }
  return current;
}

function render(v: unknown): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  if (v === undefined) return "missing";
  return JSON.stringify(v);
}

function clip(s: string): string {
  return s.length > MAX_LENGTH ? `${s.slice(0, MAX_LENGTH - 1)}…` : s;
}
