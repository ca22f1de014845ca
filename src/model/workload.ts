import { z } from "zod";
import {
  MAX_ANNOTATION_LENGTH,
  MAX_ARGV,
  MAX_ENV,
  MAX_LABEL_VALUE_LENGTH,
  MAX_LIST,
  MAX_NAME_LENGTH,
  MAX_PROBE_THRESHOLD,
  MAX_TEXT_LENGTH,
  MAX_TIMEOUT_SECONDS,
  MIN_PROBE_PERIOD_SECONDS,
  StringMap,
  TimeoutSeconds,
} from "./limits.js";
import { EnvVar } from "./meta.js";
import { PortEnvName, ProcessString } from "./process-fields.js";

/** An HTTP probe, with the thresholds Kubernetes users know. */
export const HttpProbe = z.strictObject({
  httpGet: z.strictObject({
    path: z.string().max(MAX_TEXT_LENGTH).startsWith("/").default("/"),
    port: z.number().int().min(1).max(65535).optional(),
  }),
  initialDelaySeconds: z.number().nonnegative().max(MAX_TIMEOUT_SECONDS).default(0),
  periodSeconds: z.number().min(MIN_PROBE_PERIOD_SECONDS).max(MAX_TIMEOUT_SECONDS).default(1),
  timeoutSeconds: TimeoutSeconds().default(1),
  successThreshold: z.number().int().positive().max(MAX_PROBE_THRESHOLD).default(1),
  failureThreshold: z.number().int().positive().max(MAX_PROBE_THRESHOLD).default(3),
});
export type HttpProbe = z.infer<typeof HttpProbe>;

/**
 * How the local platform runs one replica: a child process on 127.0.0.1 that listens on the port
 * it receives through `portEnv`.
 */
export const ProcessTemplate = z.strictObject({
  command: ProcessString(MAX_TEXT_LENGTH).min(1),
  args: z.array(ProcessString(MAX_TEXT_LENGTH)).max(MAX_ARGV).default([]),
  env: z.array(EnvVar).max(MAX_ENV).default([]),
  cwd: ProcessString(MAX_TEXT_LENGTH).optional(),
  portEnv: PortEnvName().default("PORT"),
  readinessProbe: HttpProbe.optional(),
  livenessProbe: HttpProbe.optional(),
  /** Seconds between SIGTERM and SIGKILL when a replica is stopped. */
  terminationGracePeriodSeconds: z.number().nonnegative().max(MAX_TIMEOUT_SECONDS).default(10),
});
export type ProcessTemplate = z.infer<typeof ProcessTemplate>;

/** A Kubernetes pod spec. Sluice checks the parts it needs and passes the rest to the API server. */
export const PodSpec = z.looseObject({
  containers: z
    .array(
      z.looseObject({ name: z.string().min(1).max(MAX_NAME_LENGTH), image: z.string().min(1).max(MAX_TEXT_LENGTH) }),
    )
    .min(1)
    .max(MAX_LIST),
});

/** The workload template. Exactly one of `process` (local platform) or `spec` (Kubernetes pod spec). */
export const WorkloadTemplate = z
  .strictObject({
    metadata: z
      .strictObject({
        labels: StringMap(MAX_LABEL_VALUE_LENGTH).optional(),
        annotations: StringMap(MAX_ANNOTATION_LENGTH).optional(),
      })
      .optional(),
    process: ProcessTemplate.optional(),
    spec: PodSpec.optional(),
  })
  .check((ctx) => {
    const t = ctx.value;
    if ((t.process === undefined) === (t.spec === undefined)) {
      ctx.issues.push({
        code: "custom",
        input: t,
        message: "set exactly one of template.process (local platform) or template.spec (Kubernetes pod spec)",
      });
    }
  });
export type WorkloadTemplate = z.infer<typeof WorkloadTemplate>;
