import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { findKubeAssets } from "../../scripts/k8s/assets.js";
import { GatewayAPIRouter } from "../../src/platform/kubernetes/routers/gateway-api.js";
import { IstioRouter } from "../../src/platform/kubernetes/routers/istio.js";
import { NginxRouter } from "../../src/platform/kubernetes/routers/nginx.js";
import type { ObjectRef, RouterOptions } from "../../src/platform/kubernetes/routers/objects.js";
import { type RouterTargets, TrafficRoutingError } from "../../src/platform/kubernetes/routers/port.js";
import { SmiRouter } from "../../src/platform/kubernetes/routers/smi.js";
import { type ControlPlane, startControlPlane } from "../helpers/kube.js";
import { waitFor } from "../helpers/wait.js";
import {
  canaryAnnotations,
  canarySpec,
  drSpec,
  httpRoute,
  istioConfig,
  nginxConfig,
  other,
  primary,
  stableIngress,
  staticRule,
  userRule,
  userSpec,
  vsSpec,
} from "./fixtures/router-crds/objects.js";

// Skipping is opt-in and only for machines without the binaries, as in smoke.test.ts.
const cached = await findKubeAssets({ build: false });
const skip = !cached && process.env.SLUICE_SKIP_KUBE === "1";
const BUILD_TIMEOUT_MS = 50 * 60_000;

type Obj = {
  metadata: { name: string; labels?: object; annotations?: object; resourceVersion?: string };
  spec?: Record<string, unknown>;
};
interface Kind {
  group: string;
  version: string;
  plural: string;
}
const HTTPROUTE: Kind = { group: "gateway.networking.k8s.io", version: "v1", plural: "httproutes" };
const VS: Kind = { group: "networking.istio.io", version: "v1beta1", plural: "virtualservices" };
const DR: Kind = { group: "networking.istio.io", version: "v1beta1", plural: "destinationrules" };
const SPLIT: Kind = { group: "split.smi-spec.io", version: "v1alpha2", plural: "trafficsplits" };
const INGRESS: Kind = { group: "networking.k8s.io", version: "v1", plural: "ingresses" };

const crdDir = join(import.meta.dirname, "fixtures/router-crds");
const crdFiles = readdirSync(crdDir).filter((f) => f.endsWith(".yaml"));
const crd = (file: string) => parse(readFileSync(join(crdDir, file), "utf8"));

const targetsIn = (namespace: string, over: Partial<RouterTargets> = {}): RouterTargets => ({
  namespace,
  stableHash: "aaaa111111",
  canaryHash: "bbbb222222",
  stableService: "web-stable",
  canaryService: "web-canary",
  ...over,
});
const beta = { name: "beta", match: [{ headerName: "x-beta", headerValue: { exact: "yes" } }] };
const shadow = { name: "shadow", match: [], percentage: 20 };

/** The error a call fails with; fails the test when the call succeeds. */
async function failure(p: Promise<unknown>): Promise<TrafficRoutingError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TrafficRoutingError);
  return err as TrafficRoutingError;
}

describe.skipIf(skip)("traffic routers on a real API server", () => {
  let cp: ControlPlane;
  let kc: KubeConfig;
  let api: CustomObjectsApi;
  let seq = 0;

  const create = (k: Kind, namespace: string, body: object) =>
    api.createNamespacedCustomObject({ ...k, namespace, body });
  const get = async (k: Kind, namespace: string, name: string) =>
    (await api.getNamespacedCustomObject({ ...k, namespace, name })) as Obj;
  const gone = async (k: Kind, namespace: string, name: string) =>
    get(k, namespace, name).then(
      () => false,
      (e) => e instanceof ApiException && e.code === 404,
    );
  /** Labels, annotations and spec: what users and routers own, without server-set fields. */
  const owned = (o: Obj) => ({ labels: o.metadata.labels, annotations: o.metadata.annotations, spec: o.spec });
  /** A user's edit between the router's read and write: the router's write must then fail. */
  const racing = (k: Kind): RouterOptions => ({
    beforeWrite: async (ref: ObjectRef) => {
      await api.patchNamespacedCustomObject(
        { ...k, namespace: ref.namespace, name: ref.name, body: { metadata: { labels: { edited: "by-user" } } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
    },
  });

  async function namespace(): Promise<string> {
    const name = `routers-${++seq}`;
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
    return name;
  }

  async function installCrd(file: string, k: Kind) {
    await api.createClusterCustomObject({
      group: "apiextensions.k8s.io",
      version: "v1",
      plural: "customresourcedefinitions",
      body: crd(file),
    });
    // Established first, then served: discovery can lag a moment behind.
    await waitFor(() => api.listNamespacedCustomObject({ ...k, namespace: "default" }).then(() => true), {
      timeoutMs: 30_000,
      intervalMs: 200,
      message: `${k.plural} served`,
    });
  }

  beforeAll(async () => {
    cp = await startControlPlane();
    kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    api = kc.makeApiClient(CustomObjectsApi);
    // The TrafficSplit CRD is installed by its own test, which first checks the message for a missing CRD.
    await installCrd("httproute.yaml", HTTPROUTE);
    await installCrd("virtualservice.yaml", VS);
    await installCrd("destinationrule.yaml", DR);
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await cp?.stop();
  });

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
      const router = new GatewayAPIRouter(kc, { httpRoute: "web" });
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
      await api.patchNamespacedCustomObject(
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
      const err = await failure(new GatewayAPIRouter(kc, { httpRoute: "web" }).setWeight(targetsIn(ns), 10));
      expect(err.message).toBe(
        `HTTPRoute ${ns}/web not found (spec.strategy.canary.trafficRouting.gatewayAPI.httpRoute): create it or fix the name`,
      );
      const other = await namespace();
      await create(HTTPROUTE, other, httpRoute);
      // The route may live in another namespace than the rollout.
      await new GatewayAPIRouter(kc, { httpRoute: "web", namespace: other }).setWeight(targetsIn(ns), 10);
      expect((await get(HTTPROUTE, other, "web")).spec).toEqual(userSpec(10));
    });

    it("refuses to overwrite a concurrent edit, and applies on the next try", async () => {
      const ns = await namespace();
      await create(HTTPROUTE, ns, httpRoute);
      const err = await failure(
        new GatewayAPIRouter(kc, { httpRoute: "web" }, undefined, racing(HTTPROUTE)).setWeight(targetsIn(ns), 30),
      );
      expect(err.message).toBe(
        `HTTPRoute ${ns}/web was changed by someone else while Sluice wrote it: conflicting edit; will retry`,
      );
      const after = await get(HTTPROUTE, ns, "web");
      expect(after.spec).toEqual(userSpec(0));
      expect(after.metadata.labels).toEqual({ team: "shop", edited: "by-user" });
      await new GatewayAPIRouter(kc, { httpRoute: "web" }).setWeight(targetsIn(ns), 30);
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
      const router = new NginxRouter(kc, config, { name: "app" });
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
      const missing = await failure(new NginxRouter(kc, config, { name: "app" }).setWeight(targetsIn(ns), 10));
      expect(missing.message).toBe(
        `Ingress ${ns}/web not found (spec.strategy.canary.trafficRouting.nginx.stableIngress): create it or fix the name`,
      );

      await create(INGRESS, ns, stableIngress);
      await create(INGRESS, ns, { ...stableIngress, metadata: { name: "web-app-canary" } });
      const foreign = await failure(new NginxRouter(kc, config, { name: "app" }).setWeight(targetsIn(ns), 10));
      expect(foreign.message).toMatch(`Ingress ${ns}/web-app-canary exists but Sluice did not create it`);
      await api.deleteNamespacedCustomObject({ ...INGRESS, namespace: ns, name: "web-app-canary" });

      await new NginxRouter(kc, config, { name: "app" }).setWeight(targetsIn(ns), 10);
      const raced = new NginxRouter(kc, config, { name: "app" }, racing(INGRESS));
      const conflict = await failure(raced.setWeight(targetsIn(ns), 20));
      expect(conflict.message).toMatch(/conflicting edit; will retry$/);
      expect((await get(INGRESS, ns, "web-app-canary")).metadata.annotations).toEqual(canaryAnnotations(10));
    });
  });

  describe("Istio", () => {
    const config = istioConfig;
    it("changes a VirtualService and DestinationRule that live in another namespace than the rollout", async () => {
      const [rolloutNs, meshNs] = [await namespace(), await namespace()];
      const meta = { apiVersion: "networking.istio.io/v1beta1", metadata: { name: "web" } };
      await create(VS, meshNs, { ...meta, kind: "VirtualService", spec: vsSpec([primary(0), other]) });
      await create(DR, meshNs, { ...meta, kind: "DestinationRule", spec: drSpec() });
      const router = new IstioRouter(kc, {
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
      const router = new IstioRouter(kc, config);
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
      const router = new IstioRouter(kc, { virtualService: { name: "web" } });
      await router.setWeight(targetsIn(ns), 15);
      expect((await get(VS, ns, "web")).spec).toEqual(vsSpec([byHost(15)]));
    });

    it("names a missing VirtualService or DestinationRule, and changes neither", async () => {
      const ns = await namespace();
      const router = new IstioRouter(kc, config);
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
      const router = new SmiRouter(kc, {}, { name: "app" });
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
      const rooted = new SmiRouter(kc, { rootService: "web", trafficSplitName: "web-split" }, { name: "app" });
      await rooted.setWeight(t, 100);
      await rooted.removeManagedRoutes(targetsIn(ns, { stableHash: "bbbb222222" }));
      expect((await get(SPLIT, ns, "web-split")).spec).toEqual(split(0, "web"));

      const foreign = new SmiRouter(kc, { trafficSplitName: "web-split" }, { name: "other-app" });
      expect((await failure(foreign.setWeight(t, 5))).message).toMatch(
        `TrafficSplit ${ns}/web-split exists but Sluice did not create it for rollout "other-app"`,
      );
    });
  });
});

// Declared only when skipping, so a normal run reports no skipped test.
if (skip) {
  describe("traffic routers on a real API server", () => {
    it.skip("skipped: binaries not built (run scripts/k8s/build.sh) and SLUICE_SKIP_KUBE=1", () => {});
  });
}
