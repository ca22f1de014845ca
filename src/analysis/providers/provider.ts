import type { Metric } from "../../model/index.js";

/** What a measurement needs besides the metric itself. */
export interface MeasureContext {
  /** Template args after substitution, by name. */
  args: Record<string, string>;
  rollout: string;
  canaryRevision: string;
  stableRevision?: string;
  /**
   * The rollout's baseline revision (a fresh copy of stable at the canary's weight), when it runs
   * one: comparisons of the canary are made against it instead of stable.
   */
  baselineRevision?: string;
  /** The analysis run measured: a Job made for the measurement is labelled with it and owned by it. */
  analysisRun?: { name: string; uid?: string };
  /** Aborts the measurement, e.g. when the run is terminated or the controller stops. */
  signal?: AbortSignal;
}

/**
 * The outcome of one measurement before conditions are applied. A provider never throws: every
 * I/O failure becomes `{ error }`, which the verdict logic counts toward consecutiveErrorLimit.
 * `inconclusive` is for a provider that knows the data cannot decide (too little traffic).
 */
export type ProviderResult =
  | { value: unknown; query: string; inconclusive?: undefined; error?: undefined }
  | { inconclusive: string; value?: unknown; query: string; error?: undefined }
  | { error: string; query: string; value?: undefined; inconclusive?: undefined };

/** A metric provider: one file each under providers/. */
export interface MetricProviderPort {
  /** Which key of `metric.provider` this implementation serves. */
  readonly kind: "builtin" | "prometheus" | "web" | "command" | "job";
  measure(metric: Metric, ctx: MeasureContext): Promise<ProviderResult>;
}
