import { BatchV1Api, CoreV1Api, type V1Job, Watch } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { findKubeAssets } from "../../scripts/k8s/assets.js";
import type { Rollout } from "../../src/model/index.js";
import { ClusterControlPlane } from "../../src/platform/kubernetes/cluster-control-plane.js";
import { useKubeController } from "../helpers/kube-controller.js";
import { applySluice, createNamespace, getSluice, kubeRollout } from "../helpers/kube-sluice.js";
import { waitFor } from "../helpers/wait.js";

const skip = !(await findKubeAssets({ build: false })) && process.env.SLUICE_SKIP_KUBE === "1";

type Status = Rollout["status"];
const statusOf = async (env: ReturnType<typeof useKubeController>, ns: string, name: string) =>
  (await getSluice(env.kc, ns, "Rollout", name)).status as Status;

/** Deploys v1 with these hooks and steps, waits for Healthy, then applies v2. */
async function rollOut(
  env: ReturnType<typeof useKubeController>,
  ns: string,
  name: string,
  hooks: unknown[],
  steps: unknown[],
) {
  const manifest = (version: string) => {
    const r = kubeRollout(name, version, { canary: { steps, scaleDownDelaySeconds: 0 } }, 2);
    (r.spec as Record<string, unknown>).hooks = hooks;
    return r;
  };
  await applySluice(env.kc, ns, manifest("1"));
  await waitFor(async () => (await statusOf(env, ns, name))?.phase === "Healthy", {
    timeoutMs: 60_000,
    message: `${name} v1 Healthy`,
  });
  await applySluice(env.kc, ns, manifest("2"));
}

describe.skipIf(skip)("gates and hooks on a real control plane", () => {
  const env = useKubeController("gates-test", { jobPollMs: 200 });

  it("a gate step waits in status until a person opens it; who and why are kept", async () => {
    const ns = await createNamespace(env.kc, "gates");
    await rollOut(env, ns, "web", [], [{ setWeight: 25 }, { gate: { name: "qa" } }, { setWeight: 50 }]);
    const waiting = await waitFor(
      async () => {
        const s = await statusOf(env, ns, "web");
        return s?.phase === "Paused" && s.gates?.some((g) => g.name === "qa") ? s : undefined;
      },
      { timeoutMs: 60_000, message: "the gate waiting in status" },
    );
    expect(waiting?.pauseConditions.map((p) => p.reason)).toContain("Gate");
    const cluster = new ClusterControlPlane(env.kc, ns);
    const opened = await cluster.command("web", { type: "openGate", by: "alice@example.com", reason: "QA signed off" });
    expect(opened.status?.gates?.find((g) => g.name === "qa")).toMatchObject({
      openedBy: "alice@example.com",
      reason: "QA signed off",
    });
    await waitFor(async () => (await statusOf(env, ns, "web"))?.phase === "Healthy", {
      timeoutMs: 60_000,
      message: "promoted after the gate opened",
    });
  }, 180_000);

  it("runs a pre-rollout hook as a Job before the canary gets traffic, and goes on when it completes", async () => {
    const ns = await createNamespace(env.kc, "prehook");
    const seen: V1Job[] = [];
    const watch = await new Watch(env.kc).watch(
      `/apis/batch/v1/namespaces/${ns}/jobs`,
      {},
      (type, obj: V1Job) => {
        if (type === "ADDED") seen.push(obj);
      },
      () => {},
    );
    try {
      const job = {
        spec: {
          template: {
            spec: {
              restartPolicy: "Never",
              containers: [{ name: "acceptance", image: "registry.example/acceptance:1" }],
            },
          },
        },
      };
      await rollOut(env, ns, "api", [{ name: "acceptance", type: "pre-rollout", job }], [{ setWeight: 50 }]);
      const before = await waitFor(
        async () => {
          const s = await statusOf(env, ns, "api");
          return s?.gates?.some((g) => g.name === "acceptance") ? s : undefined;
        },
        { timeoutMs: 60_000, message: "the pre-rollout hook asked" },
      );
      // While the check runs, the canary has no traffic.
      expect(before?.revisions.find((r) => r.role === "canary")?.weight ?? 0).toBe(0);
      await waitFor(async () => (await statusOf(env, ns, "api"))?.phase === "Healthy", {
        timeoutMs: 120_000,
        message: "promoted after the pre-rollout Job completed",
      });
      expect(seen.length).toBeGreaterThanOrEqual(1);
      expect(seen[0]?.spec?.template.spec?.containers[0]?.image).toBe("registry.example/acceptance:1");
      const batch = env.kc.makeApiClient(BatchV1Api);
      await waitFor(
        async () =>
          (await batch.listNamespacedJob({ namespace: ns, labelSelector: "app.kubernetes.io/managed-by=sluice" })).items
            .length === 0,
        { timeoutMs: 30_000, message: "the hook's Job deleted" },
      );
    } finally {
      watch.abort();
    }
  }, 240_000);

  it("says on the rollout, once, that an analysis step's generated load is not sent on Kubernetes", async () => {
    const ns = await createNamespace(env.kc, "load-warning");
    const steps = [
      { setWeight: 50 },
      { analysis: { templates: [{ templateName: "none" }], load: { rate: 5, duration: "10s" } } },
    ];
    await applySluice(env.kc, ns, kubeRollout("web", "1", { canary: { steps } }, 1));
    const core = env.kc.makeApiClient(CoreV1Api);
    const warnings = async () =>
      (await core.listNamespacedEvent({ namespace: ns })).items.filter((e) => e.reason === "LoadNotGenerated");
    const [warning] = await waitFor(async () => ((await warnings()).length > 0 ? warnings() : undefined), {
      timeoutMs: 30_000,
      message: "a LoadNotGenerated event",
    });
    expect(warning?.type).toBe("Warning");
    expect(warning?.involvedObject.name).toBe("web");
    expect(warning?.message).toMatch(
      /^spec\.strategy\.canary\.steps\[1\]\.analysis\.load: generated load is sent on the local platform only/,
    );
    // Status updates of the same generation add no second warning.
    await waitFor(async () => (await statusOf(env, ns, "web"))?.phase === "Healthy", {
      timeoutMs: 60_000,
      message: "web v1 Healthy",
    });
    expect((await warnings()).reduce((n, e) => n + (e.count ?? 1), 0)).toBe(1);
  }, 120_000);
});
