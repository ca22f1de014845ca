import { AutoscalingV2Api, CustomObjectsApi, setHeaderOptions } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { findKubeAssets } from "../../scripts/k8s/assets.js";
import { useKubeController } from "../helpers/kube-controller.js";
import {
  applySluice,
  createNamespace,
  GROUP,
  getSluice,
  kubeRollout,
  replicaSetsOf,
  VERSION,
} from "../helpers/kube-sluice.js";
import { waitFor } from "../helpers/wait.js";

const skip = !(await findKubeAssets({ build: false })) && process.env.SLUICE_SKIP_KUBE === "1";

type Scale = { spec?: { replicas?: number }; status?: { replicas?: number; selector?: string } };

describe.skipIf(skip)("scaling a Rollout as a Deployment is scaled: the scale subresource and an HPA", () => {
  const env = useKubeController("autoscaling-test");

  /** Waits until the rollout is Healthy on one revision with `replicas` ready pods; returns that revision's hash. */
  async function healthyWith(ns: string, name: string, replicas: number): Promise<string> {
    return waitFor(
      async () => {
        const status = (await getSluice(env.kc, ns, "Rollout", name)).status as { phase?: string; replicas?: number };
        const sets = Object.entries(await replicaSetsOf(env.kc, ns, name)).filter(([, s]) => s.replicas > 0);
        const [only] = sets;
        return status?.phase === "Healthy" &&
          status.replicas === replicas &&
          sets.length === 1 &&
          only?.[1].ready === replicas
          ? only[0]
          : undefined;
      },
      { timeoutMs: 90_000, message: `${name} Healthy with ${replicas} ready pods` },
    );
  }

  it("reads and writes spec.replicas through /scale, and the controller scales the stable revision in place", async () => {
    const ns = await createNamespace(env.kc, "scale");
    await applySluice(
      env.kc,
      ns,
      kubeRollout("web", "1", { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } }, 2),
    );
    const hash = await healthyWith(ns, "web", 2);

    const custom = env.kc.makeApiClient(CustomObjectsApi);
    const ref = { group: GROUP, version: VERSION, namespace: ns, plural: "rollouts", name: "web" };
    const scale = (await custom.getNamespacedCustomObjectScale(ref)) as Scale;
    expect(scale.spec?.replicas).toBe(2);
    expect(scale.status).toEqual({ replicas: 2, selector: "sluice.dev/rollout=web" });

    // What `kubectl scale rollout web --replicas=4` sends.
    await custom.patchNamespacedCustomObjectScale(
      { ...ref, body: { spec: { replicas: 4 } } },
      setHeaderOptions("Content-Type", "application/merge-patch+json"),
    );
    // Replicas are not part of the template: the same revision grows, no canary starts.
    expect(await healthyWith(ns, "web", 4)).toBe(hash);
    expect(((await custom.getNamespacedCustomObjectScale(ref)) as Scale).status?.replicas).toBe(4);
  });

  it("is driven by a HorizontalPodAutoscaler that targets the Rollout", async () => {
    const ns = await createNamespace(env.kc, "hpa");
    await applySluice(env.kc, ns, kubeRollout("api", "1", { canary: { steps: [] } }, 1));
    await healthyWith(ns, "api", 1);

    const hpa = env.kc.makeApiClient(AutoscalingV2Api);
    await hpa.createNamespacedHorizontalPodAutoscaler({
      namespace: ns,
      body: {
        metadata: { name: "api" },
        spec: {
          scaleTargetRef: { apiVersion: `${GROUP}/${VERSION}`, kind: "Rollout", name: "api" },
          minReplicas: 3,
          maxReplicas: 5,
          metrics: [
            { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
          ],
        },
      },
    });
    // Below minReplicas the HPA scales up without needing metrics (this cluster has no metrics server).
    await healthyWith(ns, "api", 3);
    const status = await waitFor(
      async () => {
        const s = (await hpa.readNamespacedHorizontalPodAutoscaler({ namespace: ns, name: "api" })).status;
        return s?.conditions?.some((c) => c.type === "AbleToScale" && c.status === "True") ? s : undefined;
      },
      { timeoutMs: 60_000, message: "the HPA to report AbleToScale" },
    );
    expect(status.desiredReplicas).toBe(3);
    expect((await getSluice(env.kc, ns, "Rollout", "api")).spec?.replicas).toBe(3);
  });
});
