import type { Metric } from "../../model/index.js";
import { BuiltinMetricProvider, type GetTelemetry } from "./builtin.js";
import { CommandMetricProvider } from "./command.js";
import { JobMetricProvider, KubeCommandProvider, type KubeJobs } from "./job.js";
import { PrometheusMetricProvider } from "./prometheus.js";
import type { MetricProviderPort } from "./provider.js";
import { WebMetricProvider } from "./web.js";

export type { BuiltinValue, GetTelemetry, RevisionSummary } from "./builtin.js";
export { BuiltinMetricProvider } from "./builtin.js";
export { CommandMetricProvider } from "./command.js";
export { JobMetricProvider, KubeCommandProvider, KubeJobs } from "./job.js";
export { PrometheusMetricProvider } from "./prometheus.js";
export type { MeasureContext, MetricProviderPort, ProviderResult } from "./provider.js";
export { WebMetricProvider } from "./web.js";

/** The provider kinds, as keys of `metric.provider`. */
export type ProviderKindName = MetricProviderPort["kind"];

const KINDS: readonly ProviderKindName[] = ["builtin", "prometheus", "web", "command", "job"];

/** What the providers need from the rest of the system. */
export interface ProviderDeps {
  /** The local router's telemetry; on Kubernetes there is none, and the builtin provider reports that as an error. */
  getTelemetry: GetTelemetry;
  /**
   * On Kubernetes: where command and job metrics run, as Jobs in the rollout's namespace. Without
   * it (the local platform) commands run as child processes and job metrics are refused.
   */
  jobs?: KubeJobs;
  /** With `jobs`: still run a command metric that names no image inside the controller (--allow-local-commands). */
  allowLocalCommands?: boolean;
}

/** One provider of each kind, keyed by kind. */
export function createProviders(deps: ProviderDeps): Record<ProviderKindName, MetricProviderPort> {
  return {
    builtin: new BuiltinMetricProvider(deps.getTelemetry),
    prometheus: new PrometheusMetricProvider(),
    web: new WebMetricProvider(),
    command: deps.jobs
      ? new KubeCommandProvider(deps.jobs, deps.allowLocalCommands ? new CommandMetricProvider() : undefined)
      : new CommandMetricProvider(),
    job: new JobMetricProvider(deps.jobs),
  };
}

/** Which provider a metric uses: the one key set on `metric.provider`, or undefined if none is. */
export function providerKind(metric: Metric): ProviderKindName | undefined {
  return KINDS.find((kind) => metric.provider[kind] !== undefined);
}
