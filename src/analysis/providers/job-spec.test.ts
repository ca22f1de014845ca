import type { V1Job } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { Metric } from "../../model/index.js";
import { commandJob, JOB_TTL_SECONDS, jobName, jobOutcome, labelValue, metricJob } from "./job-spec.js";

const target = {
  namespace: "shop",
  analysisRun: "web-abc123-1",
  analysisRunUid: "uid-1",
  metric: "smoke",
  suffix: "k3x9q",
};

describe("labelValue", () => {
  it("keeps a valid label value and repairs anything else with a hash", () => {
    expect(labelValue("web-abc123-1")).toBe("web-abc123-1");
    const repaired = labelValue("error rate (5xx)!");
    expect(repaired).toMatch(/^error-rate-5xx-[0-9a-f]{8}$/);
    expect(labelValue("x".repeat(100))).toHaveLength(54 + 1 + 8);
    expect(labelValue("!!!")).toMatch(/^[0-9a-f]{8}$/);
    // Two names that repair to the same prefix still get different values.
    expect(labelValue("a b")).not.toBe(labelValue("a_b!"));
  });
});

describe("jobName", () => {
  it("is a DNS label of at most 63 characters that ends with the suffix", () => {
    expect(jobName(target)).toBe("web-abc123-1-smoke-k3x9q");
    const long = jobName({ analysisRun: "r".repeat(80), metric: "Error Rate", suffix: "abcde" });
    expect(long).toHaveLength(63);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(long.endsWith("-abcde")).toBe(true);
    expect(jobName({ analysisRun: "--", metric: "__", suffix: "abcde" })).toBe("abcde");
  });
});

describe("commandJob", () => {
  const metric = Metric.parse({
    name: "smoke",
    provider: {
      command: {
        command: ["/check", "--url", "http://web"],
        env: [{ name: "MODE", value: "strict" }],
        cwd: "/work",
        timeoutSeconds: 12.5,
        result: "exitCode",
        image: "registry.example/check:1",
      },
    },
  });
  const spec = metric.provider.command as NonNullable<typeof metric.provider.command> & { image: string };

  it("runs the argv in one container of the image, with only the template's env and no retries", () => {
    const job = commandJob(spec, target);
    expect(job.metadata).toMatchObject({
      name: "web-abc123-1-smoke-k3x9q",
      namespace: "shop",
      labels: {
        "sluice.dev/analysis-run": "web-abc123-1",
        "sluice.dev/metric": "smoke",
        "app.kubernetes.io/managed-by": "sluice",
      },
      ownerReferences: [{ apiVersion: "sluice.dev/v1alpha1", kind: "AnalysisRun", name: "web-abc123-1", uid: "uid-1" }],
    });
    expect(job.metadata?.ownerReferences?.[0]?.blockOwnerDeletion).toBeUndefined();
    expect(job.spec).toMatchObject({
      backoffLimit: 0,
      activeDeadlineSeconds: 13,
      ttlSecondsAfterFinished: JOB_TTL_SECONDS,
    });
    const pod = job.spec?.template.spec;
    expect(pod).toMatchObject({
      restartPolicy: "Never",
      serviceAccountName: "default",
      automountServiceAccountToken: false,
      enableServiceLinks: false,
    });
    expect(pod?.containers).toEqual([
      {
        name: "metric",
        image: "registry.example/check:1",
        command: ["/check", "--url", "http://web"],
        env: [{ name: "MODE", value: "strict" }],
        workingDir: "/work",
      },
    ]);
    expect(job.spec?.template.metadata?.labels?.["sluice.dev/analysis-run"]).toBe("web-abc123-1");
  });

  it("uses the service account the template names, with its token", () => {
    const pod = commandJob({ ...spec, serviceAccountName: "checker" }, target).spec?.template.spec;
    expect(pod).toMatchObject({ serviceAccountName: "checker", automountServiceAccountToken: true });
  });

  it("has no owner without the run's uid", () => {
    const { analysisRunUid: _, ...noUid } = target;
    expect(commandJob(spec, noUid).metadata?.ownerReferences).toBeUndefined();
  });
});

describe("metricJob", () => {
  const metric = Metric.parse({
    name: "smoke",
    provider: {
      job: {
        metadata: { labels: { team: "web", "sluice.dev/metric": "spoofed" }, annotations: { note: "x" } },
        spec: {
          backoffLimit: 2,
          template: {
            metadata: { labels: { app: "check" } },
            spec: {
              serviceAccountName: "checker",
              restartPolicy: "Never",
              containers: [{ name: "c", image: "busybox", command: ["true"] }],
            },
          },
        },
      },
    },
  });
  const spec = metric.provider.job as NonNullable<typeof metric.provider.job>;

  it("keeps the template's Job and adds Sluice's labels, a deadline and a TTL", () => {
    const job = metricJob(spec, target);
    expect(job.metadata?.labels).toEqual({
      team: "web",
      "sluice.dev/metric": "smoke",
      "sluice.dev/analysis-run": "web-abc123-1",
      "app.kubernetes.io/managed-by": "sluice",
    });
    expect(job.metadata?.annotations).toEqual({ note: "x" });
    expect(job.metadata?.namespace).toBe("shop");
    expect(job.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 600 });
    expect(job.spec?.template.metadata?.labels).toMatchObject({ app: "check", "sluice.dev/metric": "smoke" });
    expect(job.spec?.template.spec?.serviceAccountName).toBe("checker");
  });

  it("does not change the template it was given", () => {
    const before = structuredClone(spec);
    metricJob(spec, target);
    expect(spec).toEqual(before);
  });

  it("keeps a deadline the template sets", () => {
    const withDeadline = { ...spec, spec: { ...spec.spec, activeDeadlineSeconds: 42 } };
    expect(metricJob(withDeadline, target).spec?.activeDeadlineSeconds).toBe(42);
  });
});

describe("jobOutcome", () => {
  const job = (...conditions: { type: string; status: string; reason?: string; message?: string }[]): V1Job => ({
    status: { conditions: conditions.map((c) => ({ lastTransitionTime: new Date(), ...c })) },
  });

  it("reads Complete and SuccessCriteriaMet as success", () => {
    expect(jobOutcome(job({ type: "Complete", status: "True" }))).toEqual({ state: "succeeded" });
    expect(jobOutcome(job({ type: "SuccessCriteriaMet", status: "True" }))).toEqual({ state: "succeeded" });
  });

  it("reads Failed and FailureTarget as failure, and a passed deadline as a timeout", () => {
    expect(jobOutcome(job({ type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "m" }))).toEqual({
      state: "failed",
      reason: "BackoffLimitExceeded",
      message: "m",
    });
    expect(jobOutcome(job({ type: "FailureTarget", status: "True", reason: "PodFailurePolicy" })).state).toBe("failed");
    expect(jobOutcome(job({ type: "Failed", status: "True", reason: "DeadlineExceeded", message: "late" }))).toEqual({
      state: "timedOut",
      message: "late",
    });
  });

  it("is running without a true terminal condition", () => {
    expect(jobOutcome({})).toEqual({ state: "running" });
    expect(jobOutcome(job({ type: "Complete", status: "False" }))).toEqual({ state: "running" });
    expect(jobOutcome(job({ type: "Suspended", status: "True" }))).toEqual({ state: "running" });
  });
});
