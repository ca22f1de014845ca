import {
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type V1Job,
  Watch,
} from "@kubernetes/client-node";
import { afterAll, describe, expect, it } from "vitest";
import { findKubeAssets } from "../../scripts/k8s/assets.js";
import { JobMetricProvider, KubeJobs } from "../../src/analysis/providers/job.js";
import { Metric } from "../../src/model/index.js";
import { useKubeController } from "../helpers/kube-controller.js";
import { applySluice, createNamespace, GROUP, getSluice, kubeRollout, VERSION } from "../helpers/kube-sluice.js";
import { waitFor } from "../helpers/wait.js";

const skip = !(await findKubeAssets({ build: false })) && process.env.SLUICE_SKIP_KUBE === "1";

// The controller runs in this process: whatever is in this environment is the controller's.
const CONTROLLER_SECRET = "controller-only-7f3a9c";
process.env.SLUICE_TEST_CONTROLLER_TOKEN = CONTROLLER_SECRET;

type Run = {
  metadata: { name: string; uid: string };
  status?: {
    phase?: string;
    metricResults?: { measurements?: { phase: string; value?: string; query?: string; message?: string }[] }[];
  };
};

/** Every Job created in `namespace` while the watch runs: Jobs live only as long as a measurement. */
async function recordJobs(kc: ReturnType<typeof useKubeController>["kc"], namespace: string) {
  const seen: V1Job[] = [];
  const abort = await new Watch(kc).watch(
    `/apis/batch/v1/namespaces/${namespace}/jobs`,
    {},
    (type, obj: V1Job) => {
      if (type === "ADDED") seen.push(obj);
    },
    () => {},
  );
  return { seen, stop: () => abort.abort() };
}

describe.skipIf(skip)("command and job metrics as Kubernetes Jobs on a real control plane", () => {
  const env = useKubeController("job-test", { jobPollMs: 200 });
  afterAll(() => {
    delete process.env.SLUICE_TEST_CONTROLLER_TOKEN;
  });

  it("runs a command metric as a Job in the rollout's namespace, as the template's service account, and its Complete condition is the measurement", async () => {
    const ns = await createNamespace(env.kc, "jobs");
    await env.kc
      .makeApiClient(CoreV1Api)
      .createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: "checker" } } });
    await applySluice(env.kc, ns, {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: "AnalysisTemplate",
      metadata: { name: "smoke" },
      spec: {
        metrics: [
          {
            name: "smoke",
            provider: {
              command: {
                command: ["/bin/check", "--strict"],
                env: [{ name: "MODE", value: "strict" }],
                image: "registry.example/check:1",
                serviceAccountName: "checker",
                result: "exitCode",
                timeoutSeconds: 120,
              },
            },
          },
        ],
      },
    });
    const strategy = {
      canary: { steps: [{ setWeight: 50 }, { analysis: { templates: [{ templateName: "smoke" }] } }] },
    };
    const jobs = await recordJobs(env.kc, ns);
    try {
      await applySluice(env.kc, ns, kubeRollout("web", "1", strategy, 2));
      const phase = async () => ((await getSluice(env.kc, ns, "Rollout", "web")).status as { phase?: string })?.phase;
      await waitFor(async () => (await phase()) === "Healthy", { timeoutMs: 60_000, message: "v1 Healthy" });
      await applySluice(env.kc, ns, kubeRollout("web", "2", strategy, 2));

      const custom = env.kc.makeApiClient(CustomObjectsApi);
      const run = await waitFor(
        async () => {
          const list = (await custom.listNamespacedCustomObject({
            group: GROUP,
            version: VERSION,
            namespace: ns,
            plural: "analysisruns",
          })) as { items: Run[] };
          return list.items.find((r) => r.status?.phase === "Successful");
        },
        { timeoutMs: 120_000, intervalMs: 250, message: "the analysis run Successful" },
      );
      const [measurement] = run.status?.metricResults?.[0]?.measurements ?? [];
      expect(measurement).toMatchObject({ phase: "Successful", value: "true" });
      expect(measurement?.query).toMatch(
        new RegExp(`^/bin/check --strict \\(Job ${ns}/${run.metadata.name}-smoke-[a-z0-9]{5}\\)$`),
      );

      // The Job: in the rollout's namespace, labelled with and owned by the run, as `checker`.
      expect(jobs.seen).toHaveLength(1);
      const job = jobs.seen[0] as V1Job;
      expect(job.metadata?.namespace).toBe(ns);
      expect(job.metadata?.labels?.["sluice.dev/analysis-run"]).toBe(run.metadata.name);
      expect(job.metadata?.ownerReferences).toEqual([
        expect.objectContaining({ kind: "AnalysisRun", name: run.metadata.name, uid: run.metadata.uid }),
      ]);
      const pod = job.spec?.template.spec;
      expect(pod?.serviceAccountName).toBe("checker");
      expect(pod?.containers).toEqual([
        expect.objectContaining({
          image: "registry.example/check:1",
          command: ["/bin/check", "--strict"],
          env: [{ name: "MODE", value: "strict" }],
        }),
      ]);
      // Nothing of the controller's environment reaches the Job.
      expect(JSON.stringify(job)).not.toContain(CONTROLLER_SECRET);
      expect(JSON.stringify(job)).not.toContain("SLUICE_TEST_CONTROLLER_TOKEN");

      // Cleaned up: the Job is deleted once its result is read.
      const batch = env.kc.makeApiClient(BatchV1Api);
      await waitFor(
        async () =>
          (await batch.listNamespacedJob({ namespace: ns, labelSelector: "app.kubernetes.io/managed-by=sluice" })).items
            .length === 0,
        { timeoutMs: 30_000, message: "the measurement's Job deleted" },
      );
      await waitFor(async () => (await phase()) === "Healthy", { timeoutMs: 60_000, message: "v2 promoted" });
    } finally {
      jobs.stop();
    }
  }, 240_000);

  it("runs a job metric's Job as written, through the CRD, with its service account and labels", async () => {
    const ns = await createNamespace(env.kc, "job-metric");
    await applySluice(env.kc, ns, {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: "AnalysisTemplate",
      metadata: { name: "integration" },
      spec: {
        args: [{ name: "target", value: "web" }],
        metrics: [
          {
            name: "integration",
            provider: {
              job: {
                metadata: { labels: { team: "web" } },
                spec: {
                  backoffLimit: 1,
                  template: {
                    spec: {
                      serviceAccountName: "integration-tests",
                      restartPolicy: "Never",
                      containers: [
                        { name: "test", image: "registry.example/it:2", args: ["--target", "{{args.target}}"] },
                      ],
                    },
                  },
                },
              },
            },
          },
        ],
      },
    });
    const strategy = {
      canary: { steps: [{ setWeight: 50 }, { analysis: { templates: [{ templateName: "integration" }] } }] },
    };
    const jobs = await recordJobs(env.kc, ns);
    try {
      await applySluice(env.kc, ns, kubeRollout("web", "1", strategy, 1));
      const status = async () =>
        ((await getSluice(env.kc, ns, "Rollout", "web")).status ?? {}) as { phase?: string; stableRevision?: string };
      await waitFor(async () => (await status()).phase === "Healthy", { timeoutMs: 60_000, message: "v1 Healthy" });
      const v1 = (await status()).stableRevision;
      await applySluice(env.kc, ns, kubeRollout("web", "2", strategy, 1));
      await waitFor(async () => (await status()).phase === "Healthy" && (await status()).stableRevision !== v1, {
        timeoutMs: 120_000,
        intervalMs: 250,
        message: "v2 promoted after its job metric",
      });
      expect(jobs.seen).toHaveLength(1);
      const job = jobs.seen[0] as V1Job;
      expect(job.metadata?.labels).toMatchObject({ team: "web", "sluice.dev/metric": "integration" });
      expect(job.spec?.backoffLimit).toBe(1);
      expect(job.spec?.activeDeadlineSeconds).toBe(600);
      expect(job.spec?.template.spec?.serviceAccountName).toBe("integration-tests");
      expect(job.spec?.template.spec?.containers[0]?.args).toEqual(["--target", "web"]);
    } finally {
      jobs.stop();
    }
  }, 240_000);

  describe("the job provider against the API server", () => {
    // A node selector no node has keeps the pod Pending, so kwok never completes it; the test plays
    // the kubelet and writes the pod's terminal status through the status subresource.
    const unschedulable = (name: string) =>
      Metric.parse({
        name,
        provider: {
          job: {
            spec: {
              backoffLimit: 0,
              template: {
                spec: {
                  restartPolicy: "Never",
                  nodeSelector: { "sluice.test/nowhere": "true" },
                  containers: [{ name: "check", image: "registry.example/check:1", command: ["false"] }],
                },
              },
            },
          },
        },
      });
    const ctx = (run: string) => ({ args: {}, rollout: "web", canaryRevision: "c", analysisRun: { name: run } });
    const podOf = async (ns: string, run: string) =>
      (
        await env.kc
          .makeApiClient(CoreV1Api)
          .listNamespacedPod({ namespace: ns, labelSelector: `sluice.dev/analysis-run=${run}` })
      ).items[0];

    it("gives a Job whose pod failed the result false, and deletes it", async () => {
      const ns = await createNamespace(env.kc, "jobs-failed");
      const provider = new JobMetricProvider(
        new KubeJobs({ client: env.kc.makeApiClient(BatchV1Api), namespace: ns, pollMs: 200 }),
      );
      const pending = provider.measure(unschedulable("fails"), ctx("run-1"));
      const pod = await waitFor(() => podOf(ns, "run-1"), { timeoutMs: 30_000, message: "the Job's pod" });
      await env.kc.makeApiClient(CoreV1Api).patchNamespacedPodStatus(
        {
          namespace: ns,
          name: pod.metadata?.name ?? "",
          body: {
            status: {
              phase: "Failed",
              containerStatuses: [
                {
                  name: "check",
                  image: "registry.example/check:1",
                  imageID: "",
                  ready: false,
                  restartCount: 0,
                  state: { terminated: { exitCode: 1, reason: "Error" } },
                },
              ],
            },
          },
        },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
      const r = await pending;
      expect(r).toMatchObject({ value: false });
      expect(r.query).toMatch(/^Job jobs-failed\/run-1-fails-[a-z0-9]{5}$/);
      const batch = env.kc.makeApiClient(BatchV1Api);
      expect(
        (await batch.listNamespacedJob({ namespace: ns })).items.filter((j) => !j.metadata?.deletionTimestamp),
      ).toEqual([]);
    }, 120_000);

    it("deletes the Job, pods with it, when the measurement is cancelled", async () => {
      const ns = await createNamespace(env.kc, "jobs-cancelled");
      const provider = new JobMetricProvider(
        new KubeJobs({ client: env.kc.makeApiClient(BatchV1Api), namespace: ns, pollMs: 200 }),
      );
      const abort = new AbortController();
      const pending = provider.measure(unschedulable("stuck"), { ...ctx("run-2"), signal: abort.signal });
      await waitFor(() => podOf(ns, "run-2"), { timeoutMs: 30_000, message: "the Job's pod" });
      abort.abort();
      expect((await pending).error).toMatch(
        /^Job jobs-cancelled\/run-2-stuck-[a-z0-9]{5} was deleted because the measurement was cancelled$/,
      );
      const batch = env.kc.makeApiClient(BatchV1Api);
      await waitFor(async () => (await batch.listNamespacedJob({ namespace: ns })).items.length === 0, {
        timeoutMs: 30_000,
        message: "the Job gone",
      });
      // Background propagation: the garbage collector removes the pod too.
      await waitFor(async () => (await podOf(ns, "run-2")) === undefined, {
        timeoutMs: 60_000,
        message: "the pod gone",
      });
    }, 120_000);
  });
});

// Declared only when skipping, so a normal run reports no skipped test.
if (skip) {
  describe("command and job metrics as Kubernetes Jobs on a real control plane", () => {
    it.skip("skipped: binaries not built (run scripts/k8s/build.sh) and SLUICE_SKIP_KUBE=1", () => {});
  });
}
