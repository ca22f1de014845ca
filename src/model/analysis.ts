import { z } from "zod";
import { Duration } from "./duration.js";
import { API_VERSION, ObjectMeta, SecretKeyRef } from "./meta.js";

/** A template argument. `valueFrom` reads a local env var or file (local platform) or a Secret (Kubernetes). */
export const Argument = z.strictObject({
  name: z.string().min(1),
  value: z.string().optional(),
  valueFrom: z
    .strictObject({
      env: z.string().min(1).optional(),
      file: z.string().min(1).optional(),
      secretKeyRef: SecretKeyRef.optional(),
    })
    .optional(),
});
export type Argument = z.infer<typeof Argument>;

const Header = z.strictObject({ key: z.string().min(1), value: z.string() });

export const PrometheusProvider = z.strictObject({
  /** Base URL of the Prometheus server, http:// or https://. */
  address: z.url({ protocol: /^https?$/ }),
  query: z.string().min(1),
  /** Run a range query over this window instead of an instant query. */
  range: z.strictObject({ start: Duration, end: Duration.default(0), step: Duration }).optional(),
  timeout: Duration.default("10s"),
  authentication: z
    .strictObject({
      bearerToken: z.string().optional(),
      basic: z.strictObject({ username: z.string(), password: z.string() }).optional(),
    })
    .optional(),
  headers: z.array(Header).default([]),
  insecure: z.boolean().default(false),
});

export const WebProvider = z.strictObject({
  url: z.string().min(1),
  method: z.enum(["GET", "POST", "PUT"]).default("GET"),
  headers: z.array(Header).default([]),
  body: z.string().optional(),
  jsonBody: z.unknown().optional(),
  /** JSONPath-style selector such as `{$.data.ok}`; without it the whole JSON body is the result. */
  jsonPath: z.string().optional(),
  timeoutSeconds: z.number().positive().default(10),
  insecure: z.boolean().default(false),
});

export const CommandProvider = z.strictObject({
  command: z.array(z.string()).min(1),
  env: z.array(z.strictObject({ name: z.string().min(1), value: z.string() })).default([]),
  cwd: z.string().optional(),
  timeoutSeconds: z.number().positive().default(30),
  /** `exitCode`: result is true when the command exits 0. `json`: result is stdout parsed as JSON. */
  result: z.enum(["exitCode", "json"]).default("json"),
});

/** Telemetry the local router records for this rollout, per revision (canary and stable). */
export const BuiltinProvider = z.strictObject({
  /** Sliding window the summary covers. */
  window: Duration.default("1m"),
  /** Below this many canary requests in the window the measurement is Inconclusive. */
  minRequests: z.number().int().nonnegative().default(100),
});

export const MetricProvider = z
  .strictObject({
    builtin: BuiltinProvider.optional(),
    prometheus: PrometheusProvider.optional(),
    web: WebProvider.optional(),
    command: CommandProvider.optional(),
  })
  .check((ctx) => {
    const n = Object.values(ctx.value).filter((v) => v !== undefined).length;
    if (n !== 1)
      ctx.issues.push({
        code: "custom",
        input: ctx.value,
        message: "set exactly one provider: builtin, prometheus, web or command",
      });
  });
export type MetricProvider = z.infer<typeof MetricProvider>;

export const Metric = z.strictObject({
  name: z.string().min(1),
  provider: MetricProvider,
  interval: Duration.optional(),
  initialDelay: Duration.optional(),
  /** Measurements to take; without it, one measurement (or, with an interval, until the run is terminated). */
  count: z.number().int().nonnegative().optional(),
  successCondition: z.string().optional(),
  failureCondition: z.string().optional(),
  failureLimit: z.number().int().nonnegative().default(0),
  inconclusiveLimit: z.number().int().nonnegative().default(0),
  consecutiveErrorLimit: z.number().int().nonnegative().default(4),
  /** Stop with Successful after this many successes in a row (0 = off). */
  consecutiveSuccessLimit: z.number().int().nonnegative().default(0),
});
export type Metric = z.infer<typeof Metric>;

/** Metrics whose verdict is recorded but never decides the run. */
const DryRun = z.array(z.strictObject({ metricName: z.string().min(1) })).default([]);
/** How many measurements to keep per metric. */
const MeasurementRetention = z
  .array(z.strictObject({ metricName: z.string().min(1), limit: z.number().int().positive() }))
  .default([]);

export const AnalysisTemplateSpec = z.strictObject({
  args: z.array(Argument).default([]),
  metrics: z.array(Metric).default([]),
  /** Other templates whose metrics and args are merged into this one. */
  templates: z
    .array(z.strictObject({ templateName: z.string().min(1), clusterScope: z.boolean().default(false) }))
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
  metrics: z.array(Metric),
  args: z.array(z.strictObject({ name: z.string(), value: z.string() })).default([]),
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
