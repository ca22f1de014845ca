import { randomBytes } from "node:crypto";
import { setTimeout as wait } from "node:timers/promises";
import type { BatchV1Api, V1Job } from "@kubernetes/client-node";
import type { Metric } from "../../model/index.js";
import { apiErrorCode, describeApiError } from "../../platform/kubernetes/api-errors.js";
import { formatArgv } from "./command.js";
import {
  commandJob,
  DEFAULT_JOB_DEADLINE_SECONDS,
  type JobOutcome,
  type JobTarget,
  jobOutcome,
  metricJob,
} from "./job-spec.js";
import type { MeasureContext, MetricProviderPort, ProviderResult } from "./provider.js";

/** The part of the Kubernetes client that runs Jobs. */
export type JobClient = Pick<BatchV1Api, "createNamespacedJob" | "readNamespacedJob" | "deleteNamespacedJob">;

/** How one Job ended: a verdict (`succeeded`) or why there is none (`error`). */
export type JobRun = { succeeded: boolean } | { error: string };

export interface KubeJobsOptions {
  client: JobClient;
  /** The rollouts' namespace: every Job runs there, never in the controller's. */
  namespace: string;
  /** How often the Job is read while it runs (default 1 s). */
  pollMs?: number;
  /** Extra wait past the Job's own deadline before Sluice deletes it itself (default 30 s). */
  graceSeconds?: number;
}

type WaitResult =
  | Exclude<JobOutcome, { state: "running" }>
  | { state: "cancelled" }
  | { state: "error"; message: string };

/** Reads that may fail in a row (API server restarting) before the measurement gives up. */
const MAX_READ_FAILURES = 5;

/**
 * Runs one Job per measurement in a namespace and waits for its Complete or Failed condition. The
 * Job is deleted (propagationPolicy Background, so its pods go too) once it has ended, timed out or
 * been cancelled; its TTL and its owner, the analysis run, remove it if the controller cannot.
 */
export class KubeJobs {
  constructor(private readonly opts: KubeJobsOptions) {}

  get namespace(): string {
    return this.opts.namespace;
  }

  /** Runs `job` until it ends, `deadlineSeconds` (plus grace) pass, or `signal` aborts. */
  async run(job: V1Job, deadlineSeconds: number, signal?: AbortSignal): Promise<JobRun> {
    const { client, namespace } = this.opts;
    const name = job.metadata?.name ?? "";
    const where = `Job ${namespace}/${name}`;
    if (signal?.aborted) return { error: `${where} was not started: the measurement was cancelled` };
    try {
      await client.createNamespacedJob({ namespace, body: job });
    } catch (err) {
      const hint =
        apiErrorCode(err) === 403
          ? "; the controller's ClusterRole must allow create on jobs (deploy/rbac.yaml)"
          : "; check the Job spec in the template";
      return { error: `could not create ${where}: ${describeApiError(err)}${hint}` };
    }
    let outcome: WaitResult;
    try {
      outcome = await this.waitForEnd(name, deadlineSeconds, signal);
    } finally {
      await this.delete(name);
    }
    switch (outcome.state) {
      case "succeeded":
        return { succeeded: true };
      case "failed":
        return { succeeded: false };
      case "timedOut": {
        const detail = outcome.message ? ` (${outcome.message})` : "";
        return {
          error: `${where} did not finish within its ${deadlineSeconds}s deadline and was deleted${detail}; make it faster or raise the timeout`,
        };
      }
      case "cancelled":
        return { error: `${where} was deleted because the measurement was cancelled` };
      case "error":
        return { error: `${where}: ${outcome.message}` };
    }
  }

  private async waitForEnd(name: string, deadlineSeconds: number, signal?: AbortSignal): Promise<WaitResult> {
    const { client, namespace } = this.opts;
    const giveUpAt = Date.now() + (deadlineSeconds + (this.opts.graceSeconds ?? 30)) * 1000;
    let failures = 0;
    for (;;) {
      if (signal?.aborted) return { state: "cancelled" };
      try {
        const outcome = jobOutcome(await client.readNamespacedJob({ namespace, name }));
        failures = 0;
        if (outcome.state !== "running") return outcome;
      } catch (err) {
        if (apiErrorCode(err) === 404) return { state: "error", message: "deleted by someone else before it finished" };
        if (++failures >= MAX_READ_FAILURES)
          return { state: "error", message: `could not be read ${failures} times in a row: ${describeApiError(err)}` };
      }
      if (Date.now() >= giveUpAt) return { state: "timedOut", message: "" };
      try {
        await wait(this.opts.pollMs ?? 1000, undefined, signal ? { signal } : {});
      } catch {
        return { state: "cancelled" };
      }
    }
  }

  private async delete(name: string): Promise<void> {
    try {
      await this.opts.client.deleteNamespacedJob({
        namespace: this.opts.namespace,
        name,
        propagationPolicy: "Background",
      });
    } catch {
      // Gone already, or the API server is away: the Job's TTL and its owner reference remove it.
    }
  }
}

/** A few random lowercase characters for a Job's name. */
export function randomSuffix(): string {
  return randomBytes(8).toString("hex").slice(0, 5);
}

function targetOf(jobs: KubeJobs, metric: Metric, ctx: MeasureContext, suffix: string): JobTarget {
  return {
    namespace: jobs.namespace,
    analysisRun: ctx.analysisRun?.name ?? ctx.rollout,
    ...(ctx.analysisRun?.uid ? { analysisRunUid: ctx.analysisRun.uid } : {}),
    metric: metric.name,
    suffix,
  };
}

/**
 * The `job` provider: the template's batch/v1 Job, run in the rollout's namespace. Complete gives
 * the result `true`, Failed `false`. Without Kubernetes (`jobs` undefined) every measurement is an
 * Error saying so.
 */
export class JobMetricProvider implements MetricProviderPort {
  readonly kind = "job" as const;

  constructor(
    private readonly jobs: KubeJobs | undefined,
    private readonly suffix: () => string = randomSuffix,
  ) {}

  async measure(metric: Metric, ctx: MeasureContext): Promise<ProviderResult> {
    const spec = metric.provider.job;
    if (!spec) return { error: `metric "${metric.name}" has no job provider`, query: "" };
    if (!this.jobs)
      return {
        error: `metric "${metric.name}": a job metric runs a Kubernetes Job, and this platform has no Kubernetes; use a command metric instead`,
        query: "",
      };
    const body = metricJob(spec, targetOf(this.jobs, metric, ctx, this.suffix()));
    const query = `Job ${this.jobs.namespace}/${body.metadata?.name}`;
    const deadline = spec.spec.activeDeadlineSeconds ?? DEFAULT_JOB_DEADLINE_SECONDS;
    return resultOf(await this.jobs.run(body, deadline, ctx.signal), query);
  }
}

/**
 * The `command` provider on Kubernetes. A command with an `image` runs as a Job in the rollout's
 * namespace; one without runs in the controller's own process only when the controller was started
 * with --allow-local-commands (`local` set), and is refused otherwise.
 */
export class KubeCommandProvider implements MetricProviderPort {
  readonly kind = "command" as const;

  constructor(
    private readonly jobs: KubeJobs,
    private readonly local: MetricProviderPort | undefined,
    private readonly suffix: () => string = randomSuffix,
  ) {}

  async measure(metric: Metric, ctx: MeasureContext): Promise<ProviderResult> {
    const spec = metric.provider.command;
    if (!spec) return { error: `metric "${metric.name}" has no command provider`, query: "" };
    const query = formatArgv(spec.command);
    const at = `metric "${metric.name}" (provider.command)`;
    if (spec.image === undefined) {
      if (this.local) return this.local.measure(metric, ctx);
      return {
        error: `${at}: on Kubernetes a command runs as a Job in the rollout's namespace; set provider.command.image to an image that has ${spec.command[0]} (or start the controller with --allow-local-commands to run it inside the controller)`,
        query,
      };
    }
    if ((spec.result ?? "json") !== "exitCode")
      return {
        error: `${at}: a command run as a Kubernetes Job gives only whether it succeeded; set provider.command.result to exitCode`,
        query,
      };
    const body = commandJob({ ...spec, image: spec.image }, targetOf(this.jobs, metric, ctx, this.suffix()));
    const deadline = body.spec?.activeDeadlineSeconds ?? DEFAULT_JOB_DEADLINE_SECONDS;
    return resultOf(
      await this.jobs.run(body, deadline, ctx.signal),
      `${query} (Job ${this.jobs.namespace}/${body.metadata?.name})`,
    );
  }
}

function resultOf(run: JobRun, query: string): ProviderResult {
  return "error" in run ? { error: run.error, query } : { value: run.succeeded, query };
}
