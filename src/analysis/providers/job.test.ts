import type { V1Job } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { Metric } from "../../model/index.js";
import { type JobClient, JobMetricProvider, KubeCommandProvider, KubeJobs } from "./job.js";
import type { MetricProviderPort } from "./provider.js";

type Condition = { type: string; status: string; reason?: string; message?: string };

/** An API server for Jobs in memory: `conditions` says what each read of a Job shows, in turn. */
class FakeJobs implements JobClient {
  created: V1Job[] = [];
  deleted: { name: string; namespace: string; propagationPolicy?: string }[] = [];
  reads = 0;
  createError: unknown;
  readError: unknown;

  constructor(private readonly conditions: (Condition[] | undefined)[] = []) {}

  async createNamespacedJob(req: { namespace: string; body: V1Job }): Promise<V1Job> {
    if (this.createError) throw this.createError;
    this.created.push({ ...req.body, metadata: { ...req.body.metadata, namespace: req.namespace } });
    return req.body;
  }

  async readNamespacedJob(req: { name: string; namespace: string }): Promise<V1Job> {
    if (this.readError) throw this.readError;
    const job = this.created.find((j) => j.metadata?.name === req.name && j.metadata?.namespace === req.namespace);
    if (!job) throw Object.assign(new Error("not found"), { code: 404 });
    const conditions = this.conditions[Math.min(this.reads++, this.conditions.length - 1)] ?? [];
    return { ...job, status: { conditions: conditions.map((c) => ({ lastTransitionTime: new Date(), ...c })) } };
  }

  async deleteNamespacedJob(req: { name: string; namespace: string; propagationPolicy?: string }) {
    this.deleted.push(req);
    return {};
  }
}

const fake = (...conditions: (Condition[] | undefined)[]) => new FakeJobs(conditions) as FakeJobs & JobClient;
const runner = (client: JobClient, graceSeconds = 30) =>
  new KubeJobs({ client, namespace: "shop", pollMs: 5, graceSeconds });
const ctx = { args: {}, rollout: "web", canaryRevision: "c", analysisRun: { name: "web-c-1", uid: "u1" } };
const complete = [{ type: "Complete", status: "True" }];
const failed = [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded" }];

const commandMetric = (command: Record<string, unknown>) =>
  Metric.parse({ name: "smoke", provider: { command: { command: ["/check"], result: "exitCode", ...command } } });

describe("KubeCommandProvider", () => {
  it("runs a command with an image as a Job in the namespace, whose Complete condition is a true result", async () => {
    const client = fake(undefined, [], complete);
    const provider = new KubeCommandProvider(runner(client), undefined, () => "abcde");
    const r = await provider.measure(commandMetric({ image: "check:1", serviceAccountName: "checker" }), ctx);
    expect(r).toEqual({ value: true, query: "/check (Job shop/web-c-1-smoke-abcde)" });
    expect(client.created).toHaveLength(1);
    const job = client.created[0];
    expect(job?.metadata).toMatchObject({ namespace: "shop", labels: { "sluice.dev/analysis-run": "web-c-1" } });
    expect(job?.spec?.template.spec?.serviceAccountName).toBe("checker");
    expect(client.reads).toBe(3);
    // Cleaned up as soon as it ended, pods with it.
    expect(client.deleted).toEqual([
      { name: "web-c-1-smoke-abcde", namespace: "shop", propagationPolicy: "Background" },
    ]);
  });

  it("gives a Failed Job a false result", async () => {
    const client = fake(failed);
    const r = await new KubeCommandProvider(runner(client), undefined).measure(
      commandMetric({ image: "check:1" }),
      ctx,
    );
    expect(r.value).toBe(false);
    expect(client.deleted).toHaveLength(1);
  });

  it("never hands the Job the controller's environment", async () => {
    process.env.SLUICE_TEST_CONTROLLER_SECRET = "hunter2";
    try {
      const client = fake(complete);
      const metric = commandMetric({ image: "check:1", env: [{ name: "MODE", value: "x" }] });
      await new KubeCommandProvider(runner(client), undefined).measure(metric, ctx);
      expect(client.created[0]?.spec?.template.spec?.containers[0]?.env).toEqual([{ name: "MODE", value: "x" }]);
      expect(JSON.stringify(client.created[0])).not.toContain("hunter2");
    } finally {
      delete process.env.SLUICE_TEST_CONTROLLER_SECRET;
    }
  });

  it("refuses a command without an image, unless local commands are allowed", async () => {
    const client = fake(complete);
    const refused = await new KubeCommandProvider(runner(client), undefined).measure(commandMetric({}), ctx);
    expect(refused.error).toBe(
      `metric "smoke" (provider.command): on Kubernetes a command runs as a Job in the rollout's namespace; set provider.command.image to an image that has /check (or start the controller with --allow-local-commands to run it inside the controller)`,
    );
    const local: MetricProviderPort = { kind: "command", measure: async () => ({ value: 7, query: "local" }) };
    expect(await new KubeCommandProvider(runner(client), local).measure(commandMetric({}), ctx)).toEqual({
      value: 7,
      query: "local",
    });
    expect(client.created).toHaveLength(0);
  });

  it("refuses result: json for a Job, which reports only success or failure", async () => {
    const client = fake(complete);
    const metric = commandMetric({ image: "check:1", result: "json" });
    const r = await new KubeCommandProvider(runner(client), undefined).measure(metric, ctx);
    expect(r.error).toMatch(/set provider.command.result to exitCode$/);
    expect(client.created).toHaveLength(0);
  });

  it("deletes a Job that outlives its deadline and reports a timeout", async () => {
    const client = fake([]);
    const metric = commandMetric({ image: "check:1", timeoutSeconds: 0.05 });
    const r = await new KubeCommandProvider(runner(client, 0), undefined, () => "abcde").measure(metric, ctx);
    expect(r.error).toMatch(/^Job shop\/web-c-1-smoke-abcde did not finish within its 1s deadline and was deleted/);
    expect(client.deleted).toEqual([
      { name: "web-c-1-smoke-abcde", namespace: "shop", propagationPolicy: "Background" },
    ]);
  }, 10_000);

  it("reports the Job's own DeadlineExceeded as a timeout, not a false result", async () => {
    const client = fake([{ type: "Failed", status: "True", reason: "DeadlineExceeded", message: "too slow" }]);
    const r = await new KubeCommandProvider(runner(client), undefined).measure(commandMetric({ image: "i" }), ctx);
    expect(r.error).toMatch(/deadline and was deleted \(too slow\)/);
  });

  it("deletes the Job when the measurement is cancelled", async () => {
    const client = fake([]);
    const abort = new AbortController();
    const pending = new KubeCommandProvider(runner(client), undefined).measure(commandMetric({ image: "i" }), {
      ...ctx,
      signal: abort.signal,
    });
    while (client.reads < 2) await new Promise((r) => setTimeout(r, 5));
    abort.abort();
    const r = await pending;
    expect(r.error).toMatch(/was deleted because the measurement was cancelled$/);
    expect(client.deleted).toHaveLength(1);
    expect(client.deleted[0]?.propagationPolicy).toBe("Background");
  });

  it("does not create a Job for a measurement already cancelled", async () => {
    const client = fake(complete);
    const r = await new KubeCommandProvider(runner(client), undefined).measure(commandMetric({ image: "i" }), {
      ...ctx,
      signal: AbortSignal.abort(),
    });
    expect(r.error).toMatch(/was not started/);
    expect(client.created).toHaveLength(0);
  });

  it("says what to grant when the API server forbids creating the Job", async () => {
    const client = fake(complete);
    client.createError = Object.assign(new Error("forbidden"), {
      code: 403,
      body: JSON.stringify({ message: 'jobs.batch is forbidden: User "x" cannot create resource "jobs"' }),
    });
    const r = await new KubeCommandProvider(runner(client), undefined).measure(commandMetric({ image: "i" }), ctx);
    expect(r.error).toMatch(
      /^could not create Job shop\/.*: 403 jobs.batch is forbidden.*allow create on jobs \(deploy\/rbac.yaml\)$/,
    );
    expect(client.deleted).toHaveLength(0);
  });

  it("gives up after repeated read failures, and when the Job vanishes", async () => {
    const broken = fake([]);
    broken.readError = Object.assign(new Error("boom"), { code: 500 });
    const r = await new KubeCommandProvider(runner(broken), undefined).measure(commandMetric({ image: "i" }), ctx);
    expect(r.error).toMatch(/could not be read 5 times in a row/);
    expect(broken.deleted).toHaveLength(1);

    const gone = fake([]);
    gone.readNamespacedJob = async () => {
      throw Object.assign(new Error("nf"), { code: 404 });
    };
    const r2 = await new KubeCommandProvider(runner(gone), undefined).measure(commandMetric({ image: "i" }), ctx);
    expect(r2.error).toMatch(/deleted by someone else before it finished$/);
  });
});

describe("JobMetricProvider", () => {
  const jobMetric = Metric.parse({
    name: "smoke",
    provider: {
      job: {
        spec: {
          template: {
            spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox", command: ["true"] }] },
          },
        },
      },
    },
  });

  it("creates the template's Job and reads its verdict", async () => {
    const client = fake(complete);
    const r = await new JobMetricProvider(runner(client), () => "abcde").measure(jobMetric, ctx);
    expect(r).toEqual({ value: true, query: "Job shop/web-c-1-smoke-abcde" });
    expect(client.created[0]?.spec?.template.spec?.containers[0]?.image).toBe("busybox");
  });

  it("is an Error without Kubernetes", async () => {
    const r = await new JobMetricProvider(undefined).measure(jobMetric, ctx);
    expect(r.error).toMatch(/this platform has no Kubernetes; use a command metric instead$/);
  });
});
