import { z } from "zod";
import { Duration } from "./duration.js";
import {
  Count,
  MAX_ARGS,
  MAX_ARGV,
  MAX_ENV,
  MAX_HEADERS,
  MAX_METRICS,
  MAX_MIN_REQUESTS,
  MAX_RETAINED_MEASUREMENTS,
  MAX_TEMPLATES,
  MAX_TEXT_LENGTH,
  Name,
  Text,
  TimeoutSeconds,
} from "./limits.js";
import { API_VERSION, ObjectMeta, SecretKeyRef } from "./meta.js";
import { EnvName, ProcessString } from "./process-fields.js";
import { PodSpec } from "./workload.js";

/** A template argument. `valueFrom` reads a local env var or file (local platform) or a Secret (Kubernetes). */
export const Argument = z.strictObject({
  name: Name(),
  value: Text().optional(),
  valueFrom: z
    .strictObject({
      env: Name().optional(),
      file: Text().min(1).optional(),
      secretKeyRef: SecretKeyRef.optional(),
    })
    .optional(),
});
export type Argument = z.infer<typeof Argument>;

const Header = z.strictObject({ key: Name(), value: Text() });

// `{{args.X}}` may stand for the whole URL; the web provider checks the scheme again once it is substituted.
const WEB_URL = /^(https?:\/\/|\{\{)/;

export const PrometheusProvider = z.strictObject({
  /** Base URL of the Prometheus server, http:// or https://. */
  address: z.url({ protocol: /^https?$/ }),
  query: Text().min(1),
  /** Run a range query over this window instead of an instant query. */
  range: z.strictObject({ start: Duration, end: Duration.default(0), step: Duration }).optional(),
  timeout: Duration.default("10s"),
  authentication: z
    .strictObject({
      bearerToken: Text().optional(),
      basic: z.strictObject({ username: Text(), password: Text() }).optional(),
    })
    .optional(),
  headers: z.array(Header).max(MAX_HEADERS).default([]),
  insecure: z.boolean().default(false),
});

export const WebProvider = z.strictObject({
  url: Text().regex(WEB_URL, "must be an http:// or https:// URL"),
  method: z.enum(["GET", "POST", "PUT"]).default("GET"),
  headers: z.array(Header).max(MAX_HEADERS).default([]),
  body: Text().optional(),
  jsonBody: z.unknown().optional(),
  /** JSONPath-style selector such as `{$.data.ok}`; without it the whole JSON body is the result. */
  jsonPath: Text().optional(),
  timeoutSeconds: TimeoutSeconds().default(10),
  insecure: z.boolean().default(false),
});

export const CommandProvider = z.strictObject({
  command: z.array(ProcessString(MAX_TEXT_LENGTH)).min(1).max(MAX_ARGV),
  env: z
    .array(z.strictObject({ name: EnvName(), value: ProcessString(MAX_TEXT_LENGTH) }))
    .max(MAX_ENV)
    .default([]),
  cwd: ProcessString(MAX_TEXT_LENGTH).optional(),
  timeoutSeconds: TimeoutSeconds().default(30),
  /** `exitCode`: result is true when the command exits 0. `json`: result is stdout parsed as JSON. */
  result: z.enum(["exitCode", "json"]).default("json"),
  /** On Kubernetes the command runs as a Job in the rollout's namespace, in a container of this image. */
  image: z.string().min(1).max(1024).optional(),
  /** The service account of that Job's pod (default: the namespace's `default`, with no token mounted). */
  serviceAccountName: z.string().min(1).max(253).optional(),
});

const JobLabels = z.record(z.string().max(317), z.string().max(63));
const JobAnnotations = z.record(z.string().max(317), z.string().max(256 * 1024));

/**
 * A Kubernetes batch/v1 Job, as Argo Rollouts' job metric: the controller creates it in the
 * rollout's namespace; Complete is a true result, Failed a false one. The pod spec is passed to the
 * API server as written (its service account, its image).
 */
export const JobProvider = z.strictObject({
  metadata: z.strictObject({ labels: JobLabels.optional(), annotations: JobAnnotations.optional() }).optional(),
  spec: z.looseObject({
    template: z.looseObject({
      metadata: z.looseObject({ labels: JobLabels.optional() }).optional(),
      spec: PodSpec,
    }),
    activeDeadlineSeconds: z.number().int().positive().max(3600).optional(),
  }),
});

/** Telemetry the local router records for this rollout, per revision (canary and stable). */
export const BuiltinProvider = z.strictObject({
  /** Sliding window the summary covers. */
  window: Duration.default("1m"),
  /** Below this many canary requests in the window the measurement is Inconclusive. */
  minRequests: z.number().int().nonnegative().max(MAX_MIN_REQUESTS).default(100),
});

export const MetricProvider = z
  .strictObject({
    builtin: BuiltinProvider.optional(),
    prometheus: PrometheusProvider.optional(),
    web: WebProvider.optional(),
    command: CommandProvider.optional(),
    job: JobProvider.optional(),
  })
  .check((ctx) => {
    const n = Object.values(ctx.value).filter((v) => v !== undefined).length;
    if (n !== 1)
      ctx.issues.push({
        code: "custom",
        input: ctx.value,
        message: "set exactly one provider: builtin, prometheus, web, command or job",
      });
  });
export type MetricProvider = z.infer<typeof MetricProvider>;

export const Metric = z.strictObject({
  name: Name(),
  provider: MetricProvider,
  interval: Duration.optional(),
  initialDelay: Duration.optional(),
  /** Measurements to take; without it, one measurement (or, with an interval, until the run is terminated). */
  count: Count().optional(),
  successCondition: Text().optional(),
  failureCondition: Text().optional(),
  failureLimit: Count().default(0),
  inconclusiveLimit: Count().default(0),
  consecutiveErrorLimit: Count().default(4),
  /** Stop with Successful after this many successes in a row (0 = off). */
  consecutiveSuccessLimit: Count().default(0),
});
export type Metric = z.infer<typeof Metric>;

/** Metrics whose verdict is recorded but never decides the run. */
const DryRun = z
  .array(z.strictObject({ metricName: Name() }))
  .max(MAX_METRICS)
  .default([]);
/** How many measurements to keep per metric. */
const MeasurementRetention = z
  .array(z.strictObject({ metricName: Name(), limit: z.number().int().positive().max(MAX_RETAINED_MEASUREMENTS) }))
  .max(MAX_METRICS)
  .default([]);

export const AnalysisTemplateSpec = z.strictObject({
  args: z.array(Argument).max(MAX_ARGS).default([]),
  metrics: z.array(Metric).max(MAX_METRICS).default([]),
  /** Other templates whose metrics and args are merged into this one. */
  templates: z
    .array(z.strictObject({ templateName: Name(), clusterScope: z.boolean().default(false) }))
    .max(MAX_TEMPLATES)
    .default([]),
  dryRun: DryRun,
  measurementRetention: MeasurementRetention,
});
export type AnalysisTemplateSpec = z.infer<typeof AnalysisTemplateSpec>;

export const AnalysisTemplate = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal("AnalysisTemplate"),
  metadata: ObjectMeta,
  spec: AnalysisTemplateSpec,
});
export type AnalysisTemplate = z.infer<typeof AnalysisTemplate>;

export const ClusterAnalysisTemplate = AnalysisTemplate.extend({ kind: z.literal("ClusterAnalysisTemplate") });
export type ClusterAnalysisTemplate = z.infer<typeof ClusterAnalysisTemplate>;

/** Verdicts, as Argo names them. */
export const AnalysisPhase = z.enum(["Pending", "Running", "Successful", "Failed", "Error", "Inconclusive"]);
export type AnalysisPhase = z.infer<typeof AnalysisPhase>;

export const Measurement = z.strictObject({
  phase: AnalysisPhase,
  /** The provider's result as JSON text, exactly as the condition saw it. */
  value: z.string().optional(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  message: z.string().optional(),
  /** The exact query, URL or argv after argument substitution. */
  query: z.string().optional(),
});
export type Measurement = z.infer<typeof Measurement>;

export const MetricResult = z.strictObject({
  name: z.string(),
  phase: AnalysisPhase,
  dryRun: z.boolean().default(false),
  count: z.number().int().default(0),
  successful: z.number().int().default(0),
  failed: z.number().int().default(0),
  inconclusive: z.number().int().default(0),
  error: z.number().int().default(0),
  consecutiveError: z.number().int().default(0),
  consecutiveSuccess: z.number().int().default(0),
  message: z.string().optional(),
  measurements: z.array(Measurement).default([]),
});
export type MetricResult = z.infer<typeof MetricResult>;

export const AnalysisRunSpec = z.strictObject({
  metrics: z.array(Metric).max(MAX_METRICS),
  args: z
    .array(z.strictObject({ name: Name(), value: Text() }))
    .max(MAX_ARGS)
    .default([]),
  dryRun: DryRun,
  measurementRetention: MeasurementRetention,
  /** Set to stop the run: it ends with the verdict it has so far. */
  terminate: z.boolean().default(false),
});
export type AnalysisRunSpec = z.infer<typeof AnalysisRunSpec>;

export const AnalysisRunStatus = z.strictObject({
  phase: AnalysisPhase.default("Pending"),
  message: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  metricResults: z.array(MetricResult).default([]),
});
export type AnalysisRunStatus = z.infer<typeof AnalysisRunStatus>;

export const AnalysisRun = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal("AnalysisRun"),
  metadata: ObjectMeta,
  spec: AnalysisRunSpec,
  status: AnalysisRunStatus.optional(),
});
export type AnalysisRun = z.infer<typeof AnalysisRun>;
