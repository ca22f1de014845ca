import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { findKubeAssets } from "../../scripts/k8s/assets.js";
import { GatewayAPIRouter } from "../../src/platform/kubernetes/routers/gateway-api.js";
import { NginxRouter } from "../../src/platform/kubernetes/routers/nginx.js";
import {
  beta,
  crd,
  crdFiles,
  failure,
  HTTPROUTE,
  INGRESS,
  shadow,
  targetsIn,
  useRouterCluster,
} from "./fixtures/router-crds/harness.js";
import {
  canaryAnnotations,
  canarySpec,
  httpRoute,
  nginxConfig,
  stableIngress,
  staticRule,
  userRule,
  userSpec,
} from "./fixtures/router-crds/objects.js";

// Skipping is opt-in and only for machines without the binaries, as in smoke.test.ts.
const cached = await findKubeAssets({ build: false });
const skip = !cached && process.env.SLUICE_SKIP_KUBE === "1";

describe.skipIf(skip)("Gateway API and NGINX routers on a real API server", () => {
  const { env, create, get, gone, owned, racing, namespace } = useRouterCluster(50 * 60_000);

  it("has a fixture CRD for every custom kind a router uses", () => {
    expect(crdFiles.map((f) => crd(f).metadata.name).sort()).toEqual([
      "destinationrules.networking.istio.io",
      "httproutes.gateway.networking.k8s.io",
      "trafficsplits.split.smi-spec.io",
      "virtualservices.networking.istio.io",
    ]);
  });

  describe("Gateway API", () => {
    it("splits, adds header and mirror rules, and cleans up on abort and promotion, keeping the user's fields", async () => {
      const ns = await namespace();
      await create(HTTPROUTE, ns, httpRoute);
      const router = new GatewayAPIRouter(env.kc, { httpRoute: "web" });
      const t = targetsIn(ns);

      await router.setWeight(t, 20);
      expect(owned(await get(HTTPROUTE, ns, "web"))).toEqual({
        labels: { team: "shop" },
        annotations: { note: "keep" },
        spec: userSpec(20),
      });
      expect(await router.verifyWeight(t)).toBe(20);

      // The user edits their own parts mid-rollout; the next change keeps the edit.
      const edited = { ...userSpec(20), hostnames: ["web.example"] };
      await env.api.patchNamespacedCustomObject(
        { ...HTTPROUTE, namespace: ns, name: "web", body: { spec: { hostnames: ["web.example"] } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
      await router.setHeaderRoutes(t, [beta]);
      await router.setMirrorRoutes(t, [shadow]);
      const headerRule = {
        name: "sluice-beta",
        matches: [
          { path: { type: "PathPrefix", value: "/" }, headers: [{ type: "Exact", name: "x-beta", value: "yes" }] },
        ],
        backendRefs: [{ name: "web-canary", port: 8080 }],
      };
      const mirrorRule = {
        name: "sluice-shadow",
        matches: [{ path: { type: "PathPrefix", value: "/" } }],
        filters: [
          { type: "RequestMirror", requestMirror: { backendRef: { name: "web-canary", port: 8080 }, percent: 20 } },
        ],
        backendRefs: userRule(20).backendRefs,
      };
      expect((await get(HTTPROUTE, ns, "web")).spec).toEqual({
        ...edited,
        rules: [headerRule, mirrorRule, userRule(20), staticRule],
      });

      await router.setWeight(t, 50);
      expect((await get(HTTPROUTE, ns, "web")).spec?.rules).toEqual([
        headerRule,
        { ...mirrorRule, backendRefs: userRule(50).backendRefs },
        userRule(50),
        staticRule,
      ]);

      // Abort: everything on stable, managed rules gone, the user's route as they left it.
      await router.removeManagedRoutes(t);
      expect(owned(await get(HTTPROUTE, ns, "web"))).toEqual({
        labels: { team: "shop" },
        annotations: { note: "keep" },
        spec: { ...userSpec(0), hostnames: ["web.example"] },
      });

      // Promotion: the canary became stable; weight 0 and no managed rules.
      await router.setWeight(t, 100);
      await router.setHeaderRoutes(t, [beta]);
      const promoted = targetsIn(ns, { stableHash: "bbbb222222" });
      await router.removeManagedRoutes(promoted);
      expect((await get(HTTPROUTE, ns, "web")).spec).toEqual({ ...userSpec(0), hostnames: ["web.example"] });
      expect(await router.verifyWeight(promoted)).toBe(0);
    });

    it("names a missing HTTPRoute and its field", async () => {
      const ns = await namespace();
      const err = await failure(new GatewayAPIRouter(env.kc, { httpRoute: "web" }).setWeight(targetsIn(ns), 10));
      expect(err.message).toBe(
        `HTTPRoute ${ns}/web not found (spec.strategy.canary.trafficRouting.gatewayAPI.httpRoute): create it or fix the name`,
      );
      const other = await namespace();
      await create(HTTPROUTE, other, httpRoute);
      // The route may live in another namespace than the rollout.
      await new GatewayAPIRouter(env.kc, { httpRoute: "web", namespace: other }).setWeight(targetsIn(ns), 10);
      expect((await get(HTTPROUTE, other, "web")).spec).toEqual(userSpec(10));
    });

    it("refuses to overwrite a concurrent edit, and applies on the next try", async () => {
      const ns = await namespace();
      await create(HTTPROUTE, ns, httpRoute);
      const err = await failure(
        new GatewayAPIRouter(env.kc, { httpRoute: "web" }, undefined, racing(HTTPROUTE)).setWeight(targetsIn(ns), 30),
      );
      expect(err.message).toBe(
        `HTTPRoute ${ns}/web was changed by someone else while Sluice wrote it: conflicting edit; will retry`,
      );
      const after = await get(HTTPROUTE, ns, "web");
      expect(after.spec).toEqual(userSpec(0));
      expect(after.metadata.labels).toEqual({ team: "shop", edited: "by-user" });
      await new GatewayAPIRouter(env.kc, { httpRoute: "web" }).setWeight(targetsIn(ns), 30);
      expect(owned(await get(HTTPROUTE, ns, "web"))).toMatchObject({
        labels: { team: "shop", edited: "by-user" },
        spec: userSpec(30),
      });
    });
  });

  describe("NGINX Ingress", () => {
    const config = nginxConfig;
    it("derives a canary Ingress, moves its annotations, refuses what NGINX cannot do, and deletes it on abort and promotion", async () => {
      const ns = await namespace();
      await create(INGRESS, ns, stableIngress);
      const before = owned(await get(INGRESS, ns, "web"));
      const router = new NginxRouter(env.kc, config, { name: "app" });
      const t = targetsIn(ns);

      await router.setWeight(t, 0);
      expect(await gone(INGRESS, ns, "web-app-canary")).toBe(true);
      expect(await router.verifyWeight(t)).toBe(0);

      await router.setWeight(t, 25);
      expect(owned(await get(INGRESS, ns, "web-app-canary"))).toEqual({
        labels: { "sluice.dev/rollout": "app", "app.kubernetes.io/managed-by": "sluice" },
        annotations: canaryAnnotations(25),
        spec: canarySpec,
      });
      expect(await router.verifyWeight(t)).toBe(25);

      await router.setHeaderRoutes(t, [beta]);
      const header = {
        "nginx.ingress.kubernetes.io/canary-by-header": "x-beta",
        "nginx.ingress.kubernetes.io/canary-by-header-value": "yes",
      };
      expect((await get(INGRESS, ns, "web-app-canary")).metadata.annotations).toEqual(canaryAnnotations(25, header));
      await router.setWeight(t, 40);
      expect((await get(INGRESS, ns, "web-app-canary")).metadata.annotations).toEqual(canaryAnnotations(40, header));

      const two = await failure(router.setHeaderRoutes(t, [beta, { ...beta, name: "gamma" }]));
      expect(two.message).toMatch(/^NGINX Ingress canaries match one header only, got 2 matches/);
      const mirror = await failure(router.setMirrorRoutes(t, [shadow]));
      expect(mirror.message).toMatch(/^NGINX Ingress canaries cannot mirror traffic \(route "shadow"\)/);
      await router.setMirrorRoutes(t, []);
      expect((await get(INGRESS, ns, "web-app-canary")).metadata.annotations).toEqual(canaryAnnotations(40, header));

      await router.setHeaderRoutes(t, []);
      expect((await get(INGRESS, ns, "web-app-canary")).metadata.annotations).toEqual(canaryAnnotations(40));

      await router.removeManagedRoutes(t);
      expect(await gone(INGRESS, ns, "web-app-canary")).toBe(true);
      expect(owned(await get(INGRESS, ns, "web"))).toEqual(before);

      await router.setWeight(t, 100);
      await router.removeManagedRoutes(targetsIn(ns, { stableHash: "bbbb222222" }));
      expect(await gone(INGRESS, ns, "web-app-canary")).toBe(true);
      expect(owned(await get(INGRESS, ns, "web"))).toEqual(before);
    });

    it("names a missing stable Ingress, refuses a foreign canary Ingress, and a concurrent edit", async () => {
      const ns = await namespace();
      const missing = await failure(new NginxRouter(env.kc, config, { name: "app" }).setWeight(targetsIn(ns), 10));
      expect(missing.message).toBe(
        `Ingress ${ns}/web not found (spec.strategy.canary.trafficRouting.nginx.stableIngress): create it or fix the name`,
      );

      await create(INGRESS, ns, stableIngress);
      await create(INGRESS, ns, { ...stableIngress, metadata: { name: "web-app-canary" } });
      const foreign = await failure(new NginxRouter(env.kc, config, { name: "app" }).setWeight(targetsIn(ns), 10));
      expect(foreign.message).toMatch(`Ingress ${ns}/web-app-canary exists but Sluice did not create it`);
      await env.api.deleteNamespacedCustomObject({ ...INGRESS, namespace: ns, name: "web-app-canary" });

      await new NginxRouter(env.kc, config, { name: "app" }).setWeight(targetsIn(ns), 10);
      const raced = new NginxRouter(env.kc, config, { name: "app" }, racing(INGRESS));
      const conflict = await failure(raced.setWeight(targetsIn(ns), 20));
      expect(conflict.message).toMatch(/conflicting edit; will retry$/);
      expect((await get(INGRESS, ns, "web-app-canary")).metadata.annotations).toEqual(canaryAnnotations(10));
    });
  });
});

// Declared only when skipping, so a normal run reports no skipped test.
if (skip) {
  describe("Gateway API and NGINX routers on a real API server", () => {
    it.skip("skipped: binaries not built (run scripts/k8s/build.sh) and SLUICE_SKIP_KUBE=1", () => {});
  });
}
