import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { findKubeAssets } from "../../scripts/k8s/assets.js";
import { commandRollout } from "../../src/platform/kubernetes/commands.js";
import { useKubeController } from "../helpers/kube-controller.js";
import { applySluice, createNamespace, createService, getSluice, kubeRollout } from "../helpers/kube-sluice.js";
import { waitFor } from "../helpers/wait.js";

const skip = !(await findKubeAssets({ build: false })) && process.env.SLUICE_SKIP_KUBE === "1";
const ROUTE = { group: "gateway.networking.k8s.io", version: "v1", plural: "httproutes" };

type Status = { phase?: string; currentStepIndex?: number; message?: string; pauseConditions?: { reason: string }[] };
type Route = { spec: { rules: { backendRefs?: { name: string; weight?: number }[] }[] } };

describe.skipIf(skip)("the controller moves weights through a Gateway API HTTPRoute", () => {
  const env = useKubeController("routing-test", {
    // Gateway API is installed before Sluice, as in a cluster that already routes with it.
    prepare: async (kc) => {
      const custom = kc.makeApiClient(CustomObjectsApi);
      await custom.createClusterCustomObject({
        group: "apiextensions.k8s.io",
        version: "v1",
        plural: "customresourcedefinitions",
        body: parse(readFileSync(join(import.meta.dirname, "fixtures/router-crds/httproute.yaml"), "utf8")),
      });
      await waitFor(() => custom.listClusterCustomObject(ROUTE).then(() => true), {
        timeoutMs: 30_000,
        message: "HTTPRoute served",
      });
    },
  });

  it("pauses while the route is missing, then walks the weights on the route and leaves it clean", async () => {
    const ns = await createNamespace(env.kc, "gateway");
    await createService(env.kc, ns, "web-stable", "web");
    await createService(env.kc, ns, "web-canary", "web");
    const custom = env.kc.makeApiClient(CustomObjectsApi);
    const status = async () => ((await getSluice(env.kc, ns, "Rollout", "web")).status ?? {}) as Status;
    const weights = async () => {
      const route = (await custom.getNamespacedCustomObject({ ...ROUTE, namespace: ns, name: "web" })) as Route;
      return Object.fromEntries((route.spec.rules[0]?.backendRefs ?? []).map((b) => [b.name, b.weight ?? 1]));
    };
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

    await custom.createNamespacedCustomObject({
      ...ROUTE,
      namespace: ns,
      body: {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: "web", labels: { team: "shop" } },
        spec: {
          parentRefs: [{ name: "gw" }],
          rules: [{ backendRefs: [{ name: "web-stable", port: 80 }] }],
        },
      },
    });
    await waitFor(async () => (await weights())["web-canary"] === 30, { timeoutMs: 30_000, message: "canary at 30%" });
    expect(await weights()).toEqual({ "web-stable": 70, "web-canary": 30 });
    await waitFor(async () => (await status()).pauseConditions?.every((p) => p.reason !== "TrafficRoutingError"), {
      timeoutMs: 30_000,
      message: "the routing pause lifts",
    });

    await commandRollout({ kc: env.kc, namespace: ns }, "web", { type: "promote" });
    await waitFor(async () => (await status()).phase === "Healthy", { timeoutMs: 60_000, message: "v2 Healthy" });
    await waitFor(async () => (await weights())["web-stable"] === 100, { timeoutMs: 30_000, message: "all on stable" });
    const route = (await custom.getNamespacedCustomObject({ ...ROUTE, namespace: ns, name: "web" })) as Route & {
      metadata: { labels: Record<string, string> };
    };
    expect(route.metadata.labels).toEqual({ team: "shop" });
  }, 180_000);
});
