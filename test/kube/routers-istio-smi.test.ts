import { describe, expect, it } from "vitest";
import { findKubeAssets } from "../../scripts/k8s/assets.js";
import { IstioRouter } from "../../src/platform/kubernetes/routers/istio.js";
import { SmiRouter } from "../../src/platform/kubernetes/routers/smi.js";
import { beta, DR, failure, SPLIT, shadow, targetsIn, useRouterCluster, VS } from "./fixtures/router-crds/harness.js";
import { drSpec, istioConfig, other, primary, vsSpec } from "./fixtures/router-crds/objects.js";

// Skipping is opt-in and only for machines without the binaries, as in smoke.test.ts.
const cached = await findKubeAssets({ build: false });
const skip = !cached && process.env.SLUICE_SKIP_KUBE === "1";

describe.skipIf(skip)("Istio and SMI routers on a real API server", () => {
  const { env, create, get, gone, owned, namespace, installCrd } = useRouterCluster(50 * 60_000);

  describe("Istio", () => {
    const config = istioConfig;
    it("changes a VirtualService and DestinationRule that live in another namespace than the rollout", async () => {
      const [rolloutNs, meshNs] = [await namespace(), await namespace()];
      const meta = { apiVersion: "networking.istio.io/v1beta1", metadata: { name: "web" } };
      await create(VS, meshNs, { ...meta, kind: "VirtualService", spec: vsSpec([primary(0), other]) });
      await create(DR, meshNs, { ...meta, kind: "DestinationRule", spec: drSpec() });
      const router = new IstioRouter(env.kc, {
        virtualService: { ...config.virtualService, namespace: meshNs },
        destinationRule: { ...config.destinationRule, namespace: meshNs },
      });
      await router.setWeight(targetsIn(rolloutNs), 40);
      expect((await get(VS, meshNs, "web")).spec).toEqual(vsSpec([primary(40), other]));
      expect((await get(DR, meshNs, "web")).spec).toEqual(drSpec("aaaa111111", "bbbb222222"));
      expect(await router.verifyWeight(targetsIn(rolloutNs))).toBe(40);
      // Nothing is looked for, or made, beside the rollout.
      expect(await gone(VS, rolloutNs, "web")).toBe(true);
    });

    it("weights subsets, points them at revisions, adds header and mirror routes, and cleans up", async () => {
      const ns = await namespace();
      await create(VS, ns, {
        apiVersion: "networking.istio.io/v1beta1",
        kind: "VirtualService",
        metadata: { name: "web", labels: { team: "shop" } },
        spec: vsSpec([primary(0), other]),
      });
      await create(DR, ns, {
        apiVersion: "networking.istio.io/v1beta1",
        kind: "DestinationRule",
        metadata: { name: "web", annotations: { note: "keep" } },
        spec: drSpec(),
      });
      const router = new IstioRouter(env.kc, config);
      const t = targetsIn(ns);

      await router.setWeight(t, 30);
      expect(owned(await get(VS, ns, "web"))).toEqual({
        labels: { team: "shop" },
        annotations: undefined,
        spec: vsSpec([primary(30), other]),
      });
      expect(owned(await get(DR, ns, "web"))).toEqual({
        labels: undefined,
        annotations: { note: "keep" },
        spec: drSpec("aaaa111111", "bbbb222222"),
      });
      expect(await router.verifyWeight(t)).toBe(30);

      await router.setHeaderRoutes(t, [beta]);
      await router.setMirrorRoutes(t, [shadow]);
      const headerRoute = {
        name: "sluice-beta",
        match: [{ uri: { prefix: "/" }, headers: { "x-beta": { exact: "yes" } } }],
        route: [{ destination: { host: "web", subset: "canary" }, weight: 100 }],
        retries: { attempts: 3 },
      };
      const mirrorRoute = {
        name: "sluice-shadow",
        match: [{ uri: { prefix: "/" } }],
        route: primary(30).route,
        mirror: { host: "web", subset: "canary" },
        mirrorPercentage: { value: 20 },
        retries: { attempts: 3 },
      };
      expect((await get(VS, ns, "web")).spec).toEqual(vsSpec([headerRoute, mirrorRoute, primary(30), other]));

      await router.removeManagedRoutes(t);
      expect(owned(await get(VS, ns, "web"))).toEqual({
        labels: { team: "shop" },
        annotations: undefined,
        spec: vsSpec([primary(0), other]),
      });

      // Promotion: the canary revision is now stable, and the stable subset follows it.
      await router.setWeight(t, 100);
      await router.setHeaderRoutes(t, [beta]);
      await router.removeManagedRoutes(targetsIn(ns, { stableHash: "bbbb222222" }));
      expect((await get(VS, ns, "web")).spec).toEqual(vsSpec([primary(0), other]));
      expect((await get(DR, ns, "web")).spec).toEqual(drSpec("bbbb222222", "bbbb222222"));
    });

    it("weights hosts without a DestinationRule", async () => {
      const ns = await namespace();
      const byHost = (w: number) => ({
        route: [
          { destination: { host: "web-stable", port: { number: 80 } }, weight: 100 - w },
          { destination: { host: "web-canary", port: { number: 80 } }, weight: w },
        ],
      });
      await create(VS, ns, {
        apiVersion: "networking.istio.io/v1beta1",
        kind: "VirtualService",
        metadata: { name: "web" },
        spec: vsSpec([byHost(0)]),
      });
      const router = new IstioRouter(env.kc, { virtualService: { name: "web" } });
      await router.setWeight(targetsIn(ns), 15);
      expect((await get(VS, ns, "web")).spec).toEqual(vsSpec([byHost(15)]));
    });

    it("names a missing VirtualService or DestinationRule, and changes neither", async () => {
      const ns = await namespace();
      const router = new IstioRouter(env.kc, config);
      expect((await failure(router.setWeight(targetsIn(ns), 10))).message).toBe(
        `VirtualService ${ns}/web not found (spec.strategy.canary.trafficRouting.istio.virtualService.name): create it or fix the name`,
      );
      await create(VS, ns, {
        apiVersion: "networking.istio.io/v1beta1",
        kind: "VirtualService",
        metadata: { name: "web" },
        spec: vsSpec([primary(0)]),
      });
      expect((await failure(router.setWeight(targetsIn(ns), 10))).message).toBe(
        `DestinationRule ${ns}/web not found (spec.strategy.canary.trafficRouting.istio.destinationRule.name): create it or fix the name`,
      );
      expect((await get(VS, ns, "web")).spec).toEqual(vsSpec([primary(0)]));
    });
  });

  describe("SMI", () => {
    it("names the missing CRD, then creates, weights and deletes its TrafficSplit", async () => {
      const ns = await namespace();
      const router = new SmiRouter(env.kc, {}, { name: "app" });
      const t = targetsIn(ns);
      expect((await failure(router.setWeight(t, 10))).message).toBe(
        "TrafficSplit (split.smi-spec.io/v1alpha2) is not served by this cluster (spec.strategy.canary.trafficRouting.smi.trafficSplitName): install the CRD trafficsplits.split.smi-spec.io or use another router",
      );
      await installCrd("trafficsplit.yaml", SPLIT);

      await router.setWeight(t, 10);
      const split = (w: number, service = "web-stable") => ({
        service,
        backends: [
          { service: "web-stable", weight: 100 - w },
          { service: "web-canary", weight: w },
        ],
      });
      expect(owned(await get(SPLIT, ns, "app"))).toEqual({
        labels: { "sluice.dev/rollout": "app", "app.kubernetes.io/managed-by": "sluice" },
        annotations: undefined,
        spec: split(10),
      });
      expect(await router.verifyWeight(t)).toBe(10);
      expect((await failure(router.setHeaderRoutes(t, [beta]))).message).toMatch(
        /^SMI TrafficSplit cannot route by header/,
      );
      expect((await failure(router.setMirrorRoutes(t, [shadow]))).message).toMatch(/^SMI TrafficSplit cannot mirror/);

      await router.removeManagedRoutes(t);
      expect(await gone(SPLIT, ns, "app")).toBe(true);
      expect(await router.verifyWeight(t)).toBe(0);

      // A root Service apart from stable may reach every revision, so the split stays, at 100/0.
      const rooted = new SmiRouter(env.kc, { rootService: "web", trafficSplitName: "web-split" }, { name: "app" });
      await rooted.setWeight(t, 100);
      await rooted.removeManagedRoutes(targetsIn(ns, { stableHash: "bbbb222222" }));
      expect((await get(SPLIT, ns, "web-split")).spec).toEqual(split(0, "web"));

      const foreign = new SmiRouter(env.kc, { trafficSplitName: "web-split" }, { name: "other-app" });
      expect((await failure(foreign.setWeight(t, 5))).message).toMatch(
        `TrafficSplit ${ns}/web-split exists but Sluice did not create it for rollout "other-app"`,
      );
    });
  });
});

// Declared only when skipping, so a normal run reports no skipped test.
if (skip) {
  describe("Istio and SMI routers on a real API server", () => {
    it.skip("skipped: binaries not built (run scripts/k8s/build.sh) and SLUICE_SKIP_KUBE=1", () => {});
  });
}
