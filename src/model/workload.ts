import { z } from "zod";
import { EnvVar } from "./meta.js";

/** An HTTP probe, with the thresholds Kubernetes users know. */
export const HttpProbe = z.strictObject({
  httpGet: z.strictObject({ path: z.string().startsWith("/").default("/"), port: z.number().int().optional() }),
  initialDelaySeconds: z.number().nonnegative().default(0),
  periodSeconds: z.number().positive().default(1),
  timeoutSeconds: z.number().positive().default(1),
  successThreshold: z.number().int().positive().default(1),
  failureThreshold: z.number().int().positive().default(3),
});
export type HttpProbe = z.infer<typeof HttpProbe>;

/**
 * How the local platform runs one replica: a child process on 127.0.0.1 that listens on the port
 * it receives through `portEnv`.
 */
export const ProcessTemplate = z.strictObject({
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  env: z.array(EnvVar).default([]),
  cwd: z.string().optional(),
  portEnv: z.string().default("PORT"),
  readinessProbe: HttpProbe.optional(),
  livenessProbe: HttpProbe.optional(),
  /** Seconds between SIGTERM and SIGKILL when a replica is stopped. */
  terminationGracePeriodSeconds: z.number().nonnegative().default(10),
});
export type ProcessTemplate = z.infer<typeof ProcessTemplate>;

/** A Kubernetes pod spec. Sluice checks the parts it needs and passes the rest to the API server. */
export const PodSpec = z.looseObject({
  containers: z.array(z.looseObject({ name: z.string().min(1), image: z.string().min(1) })).min(1),
});

/** The workload template. Exactly one of `process` (local platform) or `spec` (Kubernetes pod spec). */
export const WorkloadTemplate = z
  .strictObject({
    metadata: z
      .strictObject({
        labels: z.record(z.string(), z.string()).optional(),
        annotations: z.record(z.string(), z.string()).optional(),
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
