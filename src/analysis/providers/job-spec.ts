import { createHash } from "node:crypto";
import type { V1Job, V1OwnerReference } from "@kubernetes/client-node";
import type { Metric } from "../../model/index.js";

type CommandSpec = NonNullable<Metric["provider"]["command"]>;
type JobSpec = NonNullable<Metric["provider"]["job"]>;

/** Labels on every Job made for a measurement (and on its pods), so `kubectl get jobs -l` finds them. */
export const JOB_LABELS = {
  analysisRun: "sluice.dev/analysis-run",
  metric: "sluice.dev/metric",
  managedBy: "app.kubernetes.io/managed-by",
} as const;

/** A Job without its own activeDeadlineSeconds gets this one: a measurement is never open-ended. */
export const DEFAULT_JOB_DEADLINE_SECONDS = 600;
/** Finished Jobs the controller could not delete (it died, or the delete failed) go after this long. */
export const JOB_TTL_SECONDS = 600;

/** Where and for what one measurement's Job is made. */
export interface JobTarget {
  namespace: string;
  analysisRun: string;
  /** With it, the Job is owned by the analysis run and goes when the run is deleted. */
  analysisRunUid?: string;
  metric: string;
  /** A few random characters: two measurements of one metric never share a name. */
  suffix: string;
}

const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

function shortHash(s: string): string {
  return createHash("sha256").update(s).digest("hex").slice(0, 8);
}

/** `s` as a valid label value: itself when it is one, else a readable prefix and a hash of it. */
export function labelValue(s: string): string {
  if (LABEL_VALUE.test(s)) return s;
  const readable = s
    .replace(/[^-A-Za-z0-9_.]+/g, "-")
    .slice(0, 54)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
  return readable ? `${readable}-${shortHash(s)}` : shortHash(s);
}

function dnsPart(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** The Job's name: run and metric, cut to fit a 63-character DNS label with the suffix. */
export function jobName(t: Pick<JobTarget, "analysisRun" | "metric" | "suffix">): string {
  const suffix = dnsPart(t.suffix) || "x";
  const stem = dnsPart(`${t.analysisRun}-${t.metric}`)
    .slice(0, 62 - suffix.length)
    .replace(/-+$/, "");
  return stem ? `${stem}-${suffix}` : suffix;
}

/** The labels Sluice puts on the Job and its pod template. */
export function jobLabels(t: JobTarget): Record<string, string> {
  return {
    [JOB_LABELS.analysisRun]: labelValue(t.analysisRun),
    [JOB_LABELS.metric]: labelValue(t.metric),
    [JOB_LABELS.managedBy]: "sluice",
  };
}

function ownerReferences(t: JobTarget): V1OwnerReference[] | undefined {
  // No blockOwnerDeletion: that would need update on analysisruns/finalizers, which the controller does not hold.
  if (!t.analysisRunUid) return undefined;
  return [
    {
      apiVersion: "sluice.dev/v1alpha1",
      kind: "AnalysisRun",
      name: t.analysisRun,
      uid: t.analysisRunUid,
      controller: true,
    },
  ];
}

function metadataFor(t: JobTarget, extra: { labels?: Record<string, string>; annotations?: Record<string, string> }) {
  const owners = ownerReferences(t);
  return {
    name: jobName(t),
    namespace: t.namespace,
    labels: { ...extra.labels, ...jobLabels(t) },
    ...(extra.annotations ? { annotations: { ...extra.annotations } } : {}),
    ...(owners ? { ownerReferences: owners } : {}),
  };
}

/**
 * The Job that runs a command metric on Kubernetes: one container of `spec.image`, the argv, only
 * the template's env, no retries, a deadline of `timeoutSeconds`. Without a named service account
 * the pod runs as the namespace's `default` with no API token mounted: a check rarely needs one.
 */
export function commandJob(spec: CommandSpec & { image: string }, t: JobTarget): V1Job {
  const labels = jobLabels(t);
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: metadataFor(t, {}),
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: Math.max(1, Math.ceil(spec.timeoutSeconds ?? 30)),
      ttlSecondsAfterFinished: JOB_TTL_SECONDS,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: "Never",
          serviceAccountName: spec.serviceAccountName ?? "default",
          automountServiceAccountToken: spec.serviceAccountName !== undefined,
          // Service links would add every Service of the namespace to the environment.
          enableServiceLinks: false,
          containers: [
            {
              name: "metric",
              image: spec.image,
              command: [...spec.command],
              env: (spec.env ?? []).map((e) => ({ name: e.name, value: e.value })),
              ...(spec.cwd === undefined ? {} : { workingDir: spec.cwd }),
            },
          ],
        },
      },
    },
  };
}

/**
 * The Job of a `job` metric: the template's Job as written, in the rollout's namespace, with
 * Sluice's labels added, a deadline when it has none, and a TTL so a finished Job never lingers.
 */
export function metricJob(spec: JobSpec, t: JobTarget): V1Job {
  const labels = jobLabels(t);
  const { template, ...rest } = structuredClone(spec.spec);
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: metadataFor(t, spec.metadata ?? {}),
    spec: {
      ...(rest as object),
      activeDeadlineSeconds: spec.spec.activeDeadlineSeconds ?? DEFAULT_JOB_DEADLINE_SECONDS,
      ttlSecondsAfterFinished: (rest.ttlSecondsAfterFinished as number | undefined) ?? JOB_TTL_SECONDS,
      template: {
        ...template,
        metadata: { ...template.metadata, labels: { ...template.metadata?.labels, ...labels } },
      },
    } as V1Job["spec"],
  };
}

/** Where a Job stands, as far as the measurement cares. */
export type JobOutcome =
  | { state: "running" }
  | { state: "succeeded" }
  | { state: "failed"; reason: string; message: string }
  | { state: "timedOut"; message: string };

/**
 * Reads the Job's conditions: Complete (or SuccessCriteriaMet) is success; Failed (or
 * FailureTarget) is failure, except a passed deadline, which is a timeout, not a verdict.
 */
export function jobOutcome(job: V1Job): JobOutcome {
  const conditions = (job.status?.conditions ?? []).filter((c) => c.status === "True");
  if (conditions.some((c) => c.type === "Complete" || c.type === "SuccessCriteriaMet")) return { state: "succeeded" };
  const failed = conditions.find((c) => c.type === "Failed") ?? conditions.find((c) => c.type === "FailureTarget");
  if (!failed) return { state: "running" };
  const reason = failed.reason ?? "Failed";
  const message = failed.message ?? "";
  return reason === "DeadlineExceeded" ? { state: "timedOut", message } : { state: "failed", reason, message };
}
