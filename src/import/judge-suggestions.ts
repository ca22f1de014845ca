import type { Obj } from "./fields.js";
import type { ImportNote, Notes } from "./notes.js";

// Threshold metrics are translated as written: a fixed threshold and a comparison of canary with
// stable are not the same check, so the import never swaps one for the other. It says where the
// judge (docs/analysis.md) would decide sooner and with a false-alarm rate the user sets.
const WHY = "the judge compares the canary with the stable revision and decides as soon as the evidence allows";

/** For Flagger's builtin `request-success-rate` and `request-duration`: the judged metric to add beside them. */
export function suggestFlaggerJudge(name: string, window: string | number, path: string, notes: Notes): void {
  const judge = name === "request-duration" ? "{latency: {quantile: 0.99}}" : "{errorRate: {}}";
  notes.suggest(
    path,
    `metric "${name}" kept as a threshold; ${WHY}: add beside it {name: ${name}-judged, provider: {builtin: {window: ${window}}}, judge: ${judge}} (docs/analysis.md)`,
  );
}

const RATIO_NAME = /error|success|fail|5xx|availability/i;

/**
 * For an Argo metric that reads a success or error ratio from Prometheus: the judge reads the
 * counters behind the ratio per revision instead. Other metrics get no suggestion.
 */
export function suggestArgoJudge(metric: Obj, path: string, notes: Notes): void {
  const prom = metric.provider as { prometheus?: { query?: unknown } } | undefined;
  const query = prom?.prometheus?.query;
  if (typeof query !== "string" || !query.includes("/")) return;
  if (!RATIO_NAME.test(`${String(metric.name)} ${query}`)) return;
  notes.suggest(
    path,
    `metric "${String(metric.name)}" reads a ratio and is kept as a threshold; ${WHY}: add a judged metric with judge: {errorRate: {}} and prometheus counts {requests, errors}, counters selecting revision "{{revision}}" (docs/analysis.md)`,
  );
}

/** False for a suggestion note: tests about what a translation drops or changes leave them out. */
export const notSuggestion = (n: ImportNote): boolean =>
  !(n.severity === "info" && n.message.startsWith("suggestion:"));
