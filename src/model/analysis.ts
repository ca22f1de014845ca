import { z } from "zod";
import { Duration } from "./duration.js";
import {
  Count,
  MAX_ARGS,
  MAX_ARGV,
  MAX_ENV,
  MAX_HEADERS,
  MAX_JUDGE_BUCKETS,
  MAX_JUDGE_LOOKS,
  MAX_METRICS,
  MAX_MIN_REQUESTS,
  MAX_RELATIVE_INCREASE,
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
const REVISION_REF = /\{\{\s*revision\s*\}\}/;

/**
 * Per-revision count queries for a judged metric. `{{revision}}` in each stands for the revision
 * asked about (the canary, then the stable one as baseline). Counters, not rates: the judge takes
 * increments between looks itself, and reads a decrease as a restart of the counters.
 */
export const PrometheusCounts = z.strictObject({
  /** Requests served by the revision, e.g. `sum(sluice_requests_total{revision="{{revision}}"})`. */
  requests: Text().min(1),
  /** Failed requests of the revision (for an errorRate judge). */
  errors: Text().min(1).optional(),
  /** Latency histogram buckets by `le` (for a latency judge), e.g. `sum by (le) (..._bucket{revision="{{revision}}"})`. */
  buckets: Text().min(1).optional(),
  /**
   * A revision whose newest requests sample is older than this is stale (a lost scrape target,
   * a restarted Prometheus that has not scraped yet): no look is taken. Keep it above the scrape interval.
   */
  maxSampleAge: Duration.default("1m"),
});

export const PrometheusProvider = z
  .strictObject({
    /** Base URL of the Prometheus server, http:// or https://. */
    address: z.url({ protocol: /^https?$/ }),
    /** The query conditions test; a judged metric sets `counts` instead. */
    query: Text().min(1).optional(),
    counts: PrometheusCounts.optional(),
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
  })
  .check((ctx) => {
    if (ctx.value.query === undefined && ctx.value.counts === undefined)
      ctx.issues.push({ code: "custom", input: ctx.value, message: "set query (or counts, for a judged metric)" });
  });

/**
 * Per-revision counts from a web endpoint for a judged metric. `{{revision}}` in the url or body
 * stands for the revision asked about (the canary, then the stable one as baseline); each field is
 * a JSONPath into the answer. Counters, not rates, as for prometheus counts.
 */
export const WebCounts = z.strictObject({
  /** Requests served by the revision so far, e.g. `{$.requests}`. */
  requests: Text().min(1),
  /** Failed requests of the revision (for an errorRate judge). */
  errors: Text().min(1).optional(),
  /** Latency buckets, a list of `{le, count}` (le in seconds or "+Inf"), for a latency judge. */
  buckets: Text().min(1).optional(),
  /** When the counts were taken (Unix seconds or an RFC 3339 time): older than maxSampleAge is stale. */
  timestamp: Text().min(1).optional(),
  maxSampleAge: Duration.default("1m"),
});

export const WebProvider = z.strictObject({
  url: Text().regex(WEB_URL, "must be an http:// or https:// URL"),
  method: z.enum(["GET", "POST", "PUT"]).default("GET"),
  headers: z.array(Header).max(MAX_HEADERS).default([]),
  body: Text().optional(),
  jsonBody: z.unknown().optional(),
  /** JSONPath-style selector such as `{$.data.ok}`; without it the whole JSON body is the result. */
  jsonPath: Text().optional(),
  /** For a judged metric: where the answer holds the revision's counts (instead of jsonPath). */
  counts: WebCounts.optional(),
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
  /** Whose requests count: users', Sluice's generated load (docs/load.md), or all of them (absent). */
  traffic: z.enum(["user", "generated", "all"]).optional(),
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

const RelativeIncrease = () => z.number().nonnegative().max(MAX_RELATIVE_INCREASE);

/**
 * What the judge compares, canary against baseline (the stable revision): the error rate, or a
 * latency quantile. The canary is a regression when it is worse by more than the tolerance.
 */
export const JudgeSpec = z
  .strictObject({
    /**
     * Worse by more than BOTH increases is a regression (+75 % of the baseline rate and +0.5 points):
     * 1 % → 1.5 % is tolerated, 1 % → 2 % is not; identical canaries at up to 5 % errors promote
     * within the default 30 minutes (bench/decisions.ts).
     */
    errorRate: z
      .strictObject({
        maxRelativeIncrease: RelativeIncrease().default(0.75),
        maxAbsoluteIncrease: z.number().nonnegative().max(1).default(0.005),
      })
      .optional(),
    /** The canary's `quantile` latency may be at most `maxRelativeIncrease` above the baseline's. */
    latency: z
      .strictObject({
        quantile: z.number().min(0.5).max(0.999).default(0.95),
        maxRelativeIncrease: RelativeIncrease().default(0.1),
      })
      .optional(),
    /** Never Successful below this many canary requests. */
    minRequests: z.number().int().positive().max(MAX_MIN_REQUESTS).default(100),
    /** Undecided this long after the first look: too little evidence (the bound on waiting). */
    maxDuration: Duration.default("30m"),
    /** Undecided after this many canary requests: too little evidence. */
    maxRequests: z.number().int().positive().max(MAX_MIN_REQUESTS).optional(),
    /** What too little evidence ends in: `abort` rolls back, `pause` stops for a person to promote or abort. */
    onInsufficientEvidence: z.enum(["abort", "pause"]).default("abort"),
  })
  .check((ctx) => {
    const set = [ctx.value.errorRate, ctx.value.latency].filter((v) => v !== undefined).length;
    if (set !== 1)
      ctx.issues.push({ code: "custom", input: ctx.value, message: "set exactly one of errorRate or latency" });
  });
export type JudgeSpec = z.infer<typeof JudgeSpec>;

export const Metric = z
  .strictObject({
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
    /** Compare canary with baseline sequentially instead of testing conditions: evidence decides when. */
    judge: JudgeSpec.optional(),
  })
  .check((ctx) => {
    const m = ctx.value;
    if (!m.judge) return;
    // The judge decides when and how: a condition or a count would be a second, conflicting verdict.
    for (const field of ["successCondition", "failureCondition", "count"] as const)
      if (m[field] !== undefined)
        ctx.issues.push({
          code: "custom",
          input: m[field],
          path: [field],
          message: `a judged metric is decided by the judge; remove ${field}`,
        });
    const kind = Object.keys(m.provider).find((k) => m.provider[k as keyof typeof m.provider] !== undefined);
    const counted = (kind === "prometheus" || kind === "web") && m.provider[kind]?.counts;
    if (kind !== "builtin" && !counted)
      ctx.issues.push({
        code: "custom",
        input: m.provider,
        path: ["provider"],
        message:
          "a judged metric needs per-revision counts: use the builtin provider, or prometheus or web with counts",
      });
    if (counted) {
      const need = m.judge.latency ? "buckets" : "errors";
      if (counted[need] === undefined)
        ctx.issues.push({
          code: "custom",
          input: counted,
          path: ["provider", kind, "counts", need],
          message: `a ${m.judge.latency ? "latency" : "errorRate"} judge needs counts.${need}`,
        });
    }
    const web = m.provider.web;
    // One URL for both revisions would read the same counts twice: the judge would compare nothing.
    if (web?.counts && !REVISION_REF.test(`${web.url} ${web.body ?? ""} ${JSON.stringify(web.jsonBody ?? "")}`))
      ctx.issues.push({
        code: "custom",
        input: web.url,
        path: ["provider", "web", "url"],
        message: "web counts are asked per revision: put {{revision}} in the url or body",
      });
  });
export type Metric = z.infer<typeof Metric>;

/** Metrics whose verdict is recorded but never decides the run. */
const DryRun = z
  .array(z.strictObject({ metricName: Name() }))
  .max(MAX_METRICS)
  .default([]);
/** A false-alarm probability: above 0.5 a test would alarm more often than a coin. */
const Alpha = z.number().min(1e-9).max(0.5);
/** The default false-alarm budget of a rollout analysis. */
export const DEFAULT_ALPHA = 0.01;
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
  /** False-alarm budget of the judged metrics: an identical canary is rolled back at most this often (default 0.01). */
  alpha: Alpha.optional(),
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

/** One revision's cumulative counts in a look; latency buckets are cumulative `le` buckets in seconds. */
export const RevisionEvidence = z.strictObject({
  requests: z.number(),
  errors: z.number(),
  buckets: z
    .array(z.strictObject({ le: z.number(), count: z.number() }))
    .max(MAX_JUDGE_BUCKETS)
    .optional(),
});
export type RevisionEvidence = z.infer<typeof RevisionEvidence>;

/** Both revisions' counts at one instant (`at`, ms since epoch). */
export const EvidenceLook = z.strictObject({ at: z.number(), canary: RevisionEvidence, baseline: RevisionEvidence });
export type EvidenceLook = z.infer<typeof EvidenceLook>;

/** What the judge has seen and said for one metric. */
export const JudgeStatus = z.strictObject({
  /** The raw reading evidence counts from (the first look, or the first after a counter reset). */
  origin: EvidenceLook.optional(),
  /** Looks since `origin`, counts relative to it; thinned to at most {@link MAX_JUDGE_LOOKS}. */
  looks: z.array(EvidenceLook).max(MAX_JUDGE_LOOKS).default([]),
  /** When the judge took its first look: the maxDuration bound counts from here. */
  startedAt: z.string().optional(),
  /** Counter resets seen (a restarted Prometheus or router): evidence restarts at each. */
  resets: z.number().int().default(0),
  outcome: z.enum(["Running", "Successful", "Failed", "Inconclusive"]).default("Running"),
  /** The verdict's one line: effect, interval, requests, evidence against 1/alpha. */
  explanation: z.string().optional(),
  /** About how many more canary requests the judge needs, and the time at the current rate. */
  moreRequests: z.number().optional(),
  requestRate: z.number().optional(),
  /** When the bound on waiting ends the run (maxDuration from the first look). */
  deadline: z.string().optional(),
});
export type JudgeStatus = z.infer<typeof JudgeStatus>;

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
  /** For a judged metric: its looks and the judge's latest verdict. */
  judge: JudgeStatus.optional(),
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
  /** False-alarm budget shared by the judged metrics (split among them). */
  alpha: Alpha.optional(),
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
