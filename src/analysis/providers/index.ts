import type { Metric } from "../../model/index.js";
import { BuiltinMetricProvider, type GetTelemetry } from "./builtin.js";
import { CommandMetricProvider } from "./command.js";
import { PrometheusMetricProvider } from "./prometheus.js";
import type { MetricProviderPort } from "./provider.js";
import { WebMetricProvider } from "./web.js";

export type { BuiltinValue, GetTelemetry, RevisionSummary } from "./builtin.js";
export { BuiltinMetricProvider } from "./builtin.js";
export { CommandMetricProvider } from "./command.js";
export { PrometheusMetricProvider } from "./prometheus.js";
export type { MeasureContext, MetricProviderPort, ProviderResult } from "./provider.js";
export { WebMetricProvider } from "./web.js";

/** The provider kinds, as keys of `metric.provider`. */
export type ProviderKindName = MetricProviderPort["kind"];

const KINDS: readonly ProviderKindName[] = ["builtin", "prometheus", "web", "command"];

/** What the providers need from the rest of the system. */
export interface ProviderDeps {
  /** The local router's telemetry; on Kubernetes there is none, and the builtin provider reports that as an error. */
  getTelemetry: GetTelemetry;
}

/** One provider of each kind, keyed by kind. */
export function createProviders(deps: ProviderDeps): Record<ProviderKindName, MetricProviderPort> {
  return {
    builtin: new BuiltinMetricProvider(deps.getTelemetry),
    prometheus: new PrometheusMetricProvider(),
    web: new WebMetricProvider(),
    command: new CommandMetricProvider(),
  };
}

/** Which provider a metric uses: the one key set on `metric.provider`, or undefined if none is. */
export function providerKind(metric: Metric): ProviderKindName | undefined {
  return KINDS.find((kind) => metric.provider[kind] !== undefined);
}
