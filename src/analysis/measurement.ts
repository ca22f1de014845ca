import type { Measurement, Metric, MetricProvider } from "../model/index.js";
import { ConditionError, compileCondition, evaluateCondition } from "./conditions.js";
import type { ProviderResult } from "./providers/provider.js";

/** The provider kinds a metric can use, as keys of `metric.provider`. */
export type ProviderKind = keyof MetricProvider;

/** Which provider a metric uses: the one key set on `metric.provider`. */
export function providerKind(metric: Metric): ProviderKind {
  for (const kind of ["builtin", "prometheus", "web", "command", "job"] as const)
    if (metric.provider[kind] !== undefined) return kind;
  throw new Error(`metric "${metric.name}" has no provider`);
}

/**
 * A provider's value as JSON text. JSON has no NaN or infinities; they are written as the strings
 * "NaN", "+Inf" and "-Inf" (Prometheus' spelling) so the record shows what the condition saw.
 */
export function measurementValue(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "bigint") return Number(v);
    if (typeof v === "number" && !Number.isFinite(v)) return Number.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
    return v;
  });
}

/** Whether a NaN occurs anywhere in a value (a rate over zero requests is 0/0). */
export function containsNaN(value: unknown): boolean {
  if (typeof value === "number") return Number.isNaN(value);
  if (Array.isArray(value)) return value.some(containsNaN);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsNaN);
  return false;
}

function withoutNaN(value: unknown): unknown {
  if (typeof value === "number") return Number.isNaN(value) ? null : value;
  if (Array.isArray(value)) return value.map(withoutNaN);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutNaN(v)]));
  return value;
}

/**
 * Whether the metric's conditions read a NaN in `value`. They are evaluated again with every NaN
 * replaced by null: a comparison with null is an evaluation error, so an error means a NaN was
 * compared. A NaN the conditions never look at (the stable revision's rate when only the canary
 * is judged) does not weaken a verdict.
 */
async function conditionsReadNaN(metric: Metric, value: unknown): Promise<boolean> {
  const conditions = [metric.successCondition, metric.failureCondition].filter((c) => c !== undefined);
  if (conditions.length === 0) return true;
  const replaced = withoutNaN(value);
  const outcomes = await Promise.all(conditions.map((c) => evaluate(c, replaced)));
  return outcomes.some((o) => typeof o === "object");
}

type Outcome = { phase: Measurement["phase"]; message?: string; decisive: boolean };

async function evaluate(expr: string, value: unknown): Promise<boolean | { error: string }> {
  try {
    return await evaluateCondition(compileCondition(expr), value);
  } catch (err) {
    // Templates are checked on apply; a run built from an unchecked template still must not crash.
    const reason = err instanceof ConditionError ? err.message : String(err);
    return { error: `condition ${expr} does not compile: ${reason}` };
  }
}

/** Applies Argo's condition rules. `decisive` is false when the phase only follows from a condition being false. */
async function judge(metric: Metric, value: unknown): Promise<Outcome> {
  const { successCondition: success, failureCondition: failure } = metric;
  if (failure !== undefined) {
    const f = await evaluate(failure, value);
    if (typeof f === "object") return { phase: "Error", message: f.error, decisive: true };
    if (f) return { phase: "Failed", message: `failure condition ${failure} was true`, decisive: true };
  }
  if (success !== undefined) {
    const s = await evaluate(success, value);
    if (typeof s === "object") return { phase: "Error", message: s.error, decisive: true };
    if (s) return { phase: "Successful", decisive: true };
    if (failure !== undefined)
      return { phase: "Inconclusive", message: `neither ${success} nor ${failure} was true`, decisive: true };
    return { phase: "Failed", message: `success condition ${success} was false`, decisive: false };
  }
  if (failure !== undefined) return { phase: "Successful", decisive: false };
  // Without conditions a boolean decides (a command's exit code); any other value is only recorded.
  if (value === false) return { phase: "Failed", message: "result was false", decisive: true };
  return { phase: "Successful", decisive: value === true };
}

/**
 * Turns one provider result into a measurement: Error for a provider or evaluation error,
 * Inconclusive when the provider says the data cannot decide or there is no value, otherwise the
 * conditions decide. When the conditions read a NaN, the measurement is Inconclusive unless a
 * condition was explicitly true: a comparison with NaN is always false, so a false condition
 * proves nothing. Conditions run in the evaluation process under a deadline, hence the promise.
 */
export async function assessMeasurement(
  metric: Metric,
  result: ProviderResult,
  now: Date,
  startedAt?: Date,
): Promise<Measurement> {
  const base = { startedAt: (startedAt ?? now).toISOString(), finishedAt: now.toISOString(), query: result.query };
  if (result.error !== undefined) return { ...base, phase: "Error", message: result.error };
  const value = result.value === undefined ? {} : { value: measurementValue(result.value) };
  if (result.inconclusive !== undefined)
    return { ...base, ...value, phase: "Inconclusive", message: result.inconclusive };
  if (result.value === undefined) return { ...base, phase: "Inconclusive", message: "the provider returned no value" };
  const outcome = await judge(metric, result.value);
  if (!outcome.decisive && containsNaN(result.value) && (await conditionsReadNaN(metric, result.value)))
    return {
      ...base,
      ...value,
      phase: "Inconclusive",
      message: "result contains NaN (no data?), and no condition was true about it",
    };
  return {
    ...base,
    ...value,
    phase: outcome.phase,
    ...(outcome.message === undefined ? {} : { message: outcome.message }),
  };
}
