import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { findKubeAssets } from "../../scripts/k8s/assets.js";
import { startKubeRuntime } from "../../src/controller/kube-runtime.js";
import { commandRollout } from "../../src/platform/kubernetes/commands.js";
import { useKubeController } from "../helpers/kube-controller.js";
import {
  applySluice,
  createNamespace,
  createService,
  getSluice,
  kubeRollout,
  replicaSetsOf,
  serviceSelector,
} from "../helpers/kube-sluice.js";
import { waitFor } from "../helpers/wait.js";
import { createStableRoute, HTTPROUTE, installHttpRouteCrd } from "./fixtures/router-crds/harness.js";

const skip = !(await findKubeAssets({ build: false })) && process.env.SLUICE_SKIP_KUBE === "1";

type Status = {
  phase?: string;
  currentStepIndex?: number;
  message?: string;
  stableRevision?: string;
  pauseConditions?: { reason: string }[];
  revisions?: { hash: string; role: string; weight: number; replicas: number }[];
};
const HASH = "sluice.dev/pod-template-hash";
type Route = { spec: { rules: { backendRefs?: { name: string; weight?: number }[] }[] } };

/** The weights on HTTPRoute `web`'s first rule, by backend name. */
async function routeWeights(kc: KubeConfig, namespace: string): Promise<Record<string, number>> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const route = (await custom.getNamespacedCustomObject({ ...HTTPROUTE, namespace, name: "web" })) as Route;
  return Object.fromEntries((route.spec.rules[0]?.backendRefs ?? []).map((b) => [b.name, b.weight ?? 1]));
}

describe.skipIf(skip)("the controller moves weights through a Gateway API HTTPRoute", () => {
  const env = useKubeController("routing-test", {
    // Gateway API is installed before Sluice, as in a cluster that already routes with it.
    prepare: installHttpRouteCrd,
  });

  it("pauses while the route is missing, then walks the weights on the route and leaves it clean", async () => {
    const ns = await createNamespace(env.kc, "gateway");
    await createService(env.kc, ns, "web-stable", "web");
    await createService(env.kc, ns, "web-canary", "web");
    const custom = env.kc.makeApiClient(CustomObjectsApi);
    const status = async () => ((await getSluice(env.kc, ns, "Rollout", "web")).status ?? {}) as Status;
    const weights = () => routeWeights(env.kc, ns);
    const strategy = {
      canary: {
        stableService: "web-stable",
        canaryService: "web-canary",
        trafficRouting: { gatewayAPI: { httpRoute: "web" } },
        steps: [{ setWeight: 30 }, { pause: {} }],
      },
    };
    await applySluice(env.kc, ns, kubeRollout("web", "1", strategy, 2));
    await waitFor(async () => (await status()).phase === "Healthy", { timeoutMs: 60_000, message: "v1 Healthy" });

    // No HTTPRoute yet: the rollout must not move on weights that never took effect.
    await applySluice(env.kc, ns, kubeRollout("web", "2", strategy, 2));
    await waitFor(async () => (await status()).pauseConditions?.some((p) => p.reason === "TrafficRoutingError"), {
      timeoutMs: 60_000,
      message: "paused on the missing route",
    });
    expect((await status()).message).toContain("HTTPRoute gateway/web not found");

    await createStableRoute(env.kc, ns, "web", "web-stable", { team: "shop" });
    await waitFor(async () => (await weights())["web-canary"] === 30, { timeoutMs: 30_000, message: "canary at 30%" });
    expect(await weights()).toEqual({ "web-stable": 70, "web-canary": 30 });
    await waitFor(async () => (await status()).pauseConditions?.every((p) => p.reason !== "TrafficRoutingError"), {
      timeoutMs: 30_000,
      message: "the routing pause lifts",
    });

    await commandRollout({ kc: env.kc, namespace: ns }, "web", { type: "promote" });
    await waitFor(async () => (await status()).phase === "Healthy", { timeoutMs: 60_000, message: "v2 Healthy" });
    await waitFor(async () => (await weights())["web-stable"] === 100, { timeoutMs: 30_000, message: "all on stable" });
    const route = (await custom.getNamespacedCustomObject({ ...HTTPROUTE, namespace: ns, name: "web" })) as Route & {
      metadata: { labels: Record<string, string> };
    };
    expect(route.metadata.labels).toEqual({ team: "shop" });
  }, 180_000);

  it("runs a baseline copy of stable beside the canary: its own ReplicaSet, Service and share of the route", async () => {
    const ns = await createNamespace(env.kc, "baseline");
    for (const name of ["web-stable", "web-canary", "web-baseline"]) await createService(env.kc, ns, name, "web");
    await createStableRoute(env.kc, ns, "web", "web-stable");
    const status = async () => ((await getSluice(env.kc, ns, "Rollout", "web")).status ?? {}) as Status;
    const weights = () => routeWeights(env.kc, ns);
    const strategy = {
      canary: {
        baseline: true,
        stableService: "web-stable",
        canaryService: "web-canary",
        baselineService: "web-baseline",
        trafficRouting: { gatewayAPI: { httpRoute: "web" } },
        steps: [{ setWeight: 20 }, { pause: {} }],
      },
    };
    await applySluice(env.kc, ns, kubeRollout("web", "1", strategy, 5));
    await waitFor(async () => (await status()).phase === "Healthy", { timeoutMs: 60_000, message: "v1 Healthy" });
    const stable = (await status()).stableRevision ?? "";
    const baseline = `${stable}-baseline`;

    await applySluice(env.kc, ns, kubeRollout("web", "2", strategy, 5));
    await waitFor(async () => (await weights())["web-baseline"] === 20, {
      timeoutMs: 60_000,
      message: "the baseline takes its 20 %",
    });
    expect(await weights()).toEqual({ "web-stable": 60, "web-canary": 20, "web-baseline": 20 });
    // The baseline runs stable's template (v1) in its own ReplicaSet, as many replicas as the canary.
    const sets = await replicaSetsOf(env.kc, ns, "web");
    const canary = Object.keys(sets).find((h) => h !== stable && h !== baseline) ?? "";
    expect(sets[baseline]?.rs.spec?.template?.spec?.containers[0]?.image).toBe("registry.example/web:1");
    expect(sets[baseline]?.replicas).toBe(sets[canary]?.replicas);
    expect(sets[baseline]?.replicas).toBeGreaterThan(0);
    expect((await serviceSelector(env.kc, ns, "web-baseline"))[HASH]).toBe(baseline);
    expect((await serviceSelector(env.kc, ns, "web-stable"))[HASH]).toBe(stable);
    const roles = Object.fromEntries(((await status()).revisions ?? []).map((r) => [r.role, r.weight]));
    expect(roles).toMatchObject({ stable: 60, canary: 20, baseline: 20 });

    // A new controller takes over mid-rollout: it adopts the baseline as it is, creating and moving nothing.
    await env.runtime.stop();
    env.runtime = await startKubeRuntime({ kc: env.kc, identity: "routing-test-2" });
    await waitFor(async () => ((await status()).revisions ?? []).length === 3 && (await status()).phase === "Paused", {
      timeoutMs: 30_000,
      message: "the new controller has reconciled",
    });
    expect(Object.keys(await replicaSetsOf(env.kc, ns, "web")).sort()).toEqual([stable, canary, baseline].sort());
    expect(await weights()).toEqual({ "web-stable": 60, "web-canary": 20, "web-baseline": 20 });

    // Promotion: the baseline leaves the route, its ReplicaSet goes, and its Service follows stable.
    await commandRollout({ kc: env.kc, namespace: ns }, "web", { type: "promote" });
    await waitFor(async () => (await status()).phase === "Healthy", { timeoutMs: 60_000, message: "v2 Healthy" });
    await waitFor(async () => !("web-baseline" in (await weights())) && (await weights())["web-stable"] === 100, {
      timeoutMs: 30_000,
      message: "the baseline leaves the route",
    });
    await waitFor(async () => !(baseline in (await replicaSetsOf(env.kc, ns, "web"))), {
      timeoutMs: 30_000,
      message: "the baseline ReplicaSet is deleted",
    });
    expect((await serviceSelector(env.kc, ns, "web-baseline"))[HASH]).toBe(canary);
    expect(((await status()).revisions ?? []).some((r) => r.role === "baseline")).toBe(false);

    // Abort: the same clean-up, back to all on stable (now v2), whose fresh baseline goes too.
    await applySluice(env.kc, ns, kubeRollout("web", "3", strategy, 5));
    await waitFor(async () => (await weights())["web-baseline"] === 20, {
      timeoutMs: 60_000,
      message: "v3's baseline takes its 20 %",
    });
    expect(
      (await replicaSetsOf(env.kc, ns, "web"))[`${canary}-baseline`]?.rs.spec?.template?.spec?.containers[0]?.image,
    ).toBe("registry.example/web:2");
    await commandRollout({ kc: env.kc, namespace: ns }, "web", { type: "abort" });
    await waitFor(async () => !("web-baseline" in (await weights())) && (await weights())["web-stable"] === 100, {
      timeoutMs: 30_000,
      message: "the aborted rollout's baseline leaves the route",
    });
    await waitFor(async () => !(`${canary}-baseline` in (await replicaSetsOf(env.kc, ns, "web"))), {
      timeoutMs: 30_000,
      message: "the aborted rollout's baseline ReplicaSet is deleted",
    });
    expect((await status()).stableRevision).toBe(canary);
  }, 180_000);
});
