import { describe, expect, it } from "vitest";
import { exampleTargets } from "./example-targets.js";
import {
  destinationRuleWithHashes,
  type IstioContext,
  virtualServiceWeight,
  virtualServiceWithHeaderRoutes,
  virtualServiceWithMirrorRoutes,
  virtualServiceWithoutManaged,
  virtualServiceWithWeight,
} from "./istio-spec.js";
import type { KubeObject } from "./objects.js";

const targets = exampleTargets();
const byHost: IstioContext = { where: "VirtualService shop/web", config: { virtualService: { name: "web" } }, targets };
const bySubset: IstioContext = {
  ...byHost,
  config: {
    virtualService: { name: "web", routes: ["primary"] },
    destinationRule: { name: "web", stableSubsetName: "stable", canarySubsetName: "canary" },
  },
};

const primary = (w = 0) => ({
  name: "primary",
  match: [{ uri: { prefix: "/" } }],
  timeout: "5s",
  route: [
    { destination: { host: "web-stable", port: { number: 80 } }, weight: 100 - w },
    { destination: { host: "web-canary", port: { number: 80 } }, weight: w },
  ],
});
const other = { name: "other", route: [{ destination: { host: "reviews" } }] };

function vs(http: unknown[]): KubeObject {
  return {
    apiVersion: "networking.istio.io/v1beta1",
    kind: "VirtualService",
    metadata: { name: "web", namespace: "shop", resourceVersion: "3", annotations: { owner: "team-a" } },
    spec: { hosts: ["web.example"], gateways: ["gw"], http },
  };
}
const httpOf = (o: KubeObject) => o.spec?.http as Record<string, unknown>[];

describe("virtualServiceWithWeight", () => {
  it("weights the stable and canary hosts of the routes that send to stable, and nothing else", () => {
    const before = vs([other, primary()]);
    const frozen = structuredClone(before);
    expect(virtualServiceWithWeight(before, byHost, 35)).toEqual(vs([other, primary(35)]));
    expect(before).toEqual(frozen);
  });

  it("recognises qualified hosts and adds a missing canary beside the stable destination", () => {
    const fqdn = { route: [{ destination: { host: "web-stable.shop.svc.cluster.local", port: { number: 80 } } }] };
    expect(httpOf(virtualServiceWithWeight(vs([fqdn]), byHost, 10))[0]?.route).toEqual([
      { destination: { host: "web-stable.shop.svc.cluster.local", port: { number: 80 } }, weight: 90 },
      { destination: { host: "web-canary.shop.svc.cluster.local", port: { number: 80 } }, weight: 10 },
    ]);
    const elsewhere = { route: [{ destination: { host: "web-stable.other.svc.cluster.local" } }] };
    expect(() => virtualServiceWithWeight(vs([elsewhere]), byHost, 10)).toThrow(
      'VirtualService shop/web has no http route with a destination to the stable Service "web-stable"',
    );
  });

  it("splits by subset with a DestinationRule, only in the listed routes", () => {
    const subsets = (w: number) => ({
      name: "primary",
      route: [
        { destination: { host: "web", subset: "stable" }, weight: 100 - w },
        { destination: { host: "web", subset: "canary" }, weight: w },
      ],
    });
    const alsoStable = { ...subsets(0), name: "unlisted" };
    expect(virtualServiceWithWeight(vs([subsets(0), alsoStable]), bySubset, 60)).toEqual(vs([subsets(60), alsoStable]));
  });

  it("names a listed route that is missing", () => {
    expect(() => virtualServiceWithWeight(vs([other]), bySubset, 10)).toThrow(
      'VirtualService shop/web has no http route named "primary" (spec.strategy.canary.trafficRouting.istio.virtualService.routes): add it or fix the name',
    );
  });
});

describe("managed header and mirror routes", () => {
  const header = { name: "beta", match: [{ headerName: "x-beta", headerValue: { exact: "1" } }] };

  it("prepends a sluice- header route scoped to the split route's match, with its timeout, all to the canary", () => {
    const r = virtualServiceWithHeaderRoutes(vs([other, primary(20)]), byHost, [header]);
    expect(httpOf(r)).toEqual([
      {
        name: "sluice-beta",
        match: [{ uri: { prefix: "/" }, headers: { "x-beta": { exact: "1" } } }],
        route: [{ destination: { host: "web-canary", port: { number: 80 } }, weight: 100 }],
        timeout: "5s",
      },
      other,
      primary(20),
    ]);
  });

  it.each([
    [{ headerName: "x", headerValue: { regex: "a|b" } }, { headers: { x: { regex: "a|b" } } }],
    [{ headerName: "x" }, { headers: { x: { regex: ".*" } } }],
    [
      { method: { exact: "GET" }, path: { prefix: "/api" } },
      { method: { exact: "GET" }, uri: { prefix: "/api" } },
    ],
  ])("translates %j into %j", (match, expected) => {
    const catchAll = { route: [{ destination: { host: "web-stable" } }] };
    const r = virtualServiceWithHeaderRoutes(vs([catchAll]), byHost, [{ name: "m", match: [match] }]);
    expect(httpOf(r)[0]?.match).toEqual([expected]);
  });

  it("refuses cookie matches", () => {
    expect(() =>
      virtualServiceWithHeaderRoutes(vs([primary()]), byHost, [{ name: "c", match: [{ cookieName: "a" }] }]),
    ).toThrow("cannot match cookies");
  });

  it("adds a mirror route that serves as the split route does and mirrors a percentage to the canary subset", () => {
    const sub = { name: "primary", route: [{ destination: { host: "web", subset: "stable" }, weight: 100 }] };
    const r = virtualServiceWithMirrorRoutes(vs([sub]), bySubset, [{ name: "shadow", match: [], percentage: 15 }]);
    expect(httpOf(r)[0]).toEqual({
      name: "sluice-shadow",
      route: [{ destination: { host: "web", subset: "stable" }, weight: 100 }],
      mirror: { host: "web", subset: "canary" },
      mirrorPercentage: { value: 15 },
    });
  });

  it("keeps the two kinds apart, follows weights in mirror routes only, and cleans up on abort", () => {
    let r = virtualServiceWithMirrorRoutes(vs([primary(), other]), byHost, [
      { name: "shadow", match: [], percentage: 5 },
    ]);
    r = virtualServiceWithHeaderRoutes(r, byHost, [header], [{ name: "beta" }, { name: "shadow" }]);
    expect(httpOf(r).map((h) => h.name)).toEqual(["sluice-beta", "sluice-shadow", "primary", "other"]);
    r = virtualServiceWithWeight(r, byHost, 30);
    expect(httpOf(r)[1]?.route).toEqual(primary(30).route);
    expect(httpOf(r)[0]?.route).toEqual([{ destination: { host: "web-canary", port: { number: 80 } }, weight: 100 }]);
    r = virtualServiceWithMirrorRoutes(r, byHost, []);
    expect(httpOf(r).map((h) => h.name)).toEqual(["sluice-beta", "primary", "other"]);
    expect(virtualServiceWithoutManaged(r, byHost)).toEqual(vs([primary(0), other]));
  });
});

describe("virtualServiceWeight", () => {
  it.each([
    [[primary(40)], 40],
    [[{ route: [{ destination: { host: "web-stable" }, weight: 100 }] }], undefined],
  ])("reads %j as %s", (http, w) => {
    expect(virtualServiceWeight(vs(http), byHost)).toBe(w);
  });
});

describe("destinationRuleWithHashes", () => {
  const dr = (stable?: string, canary?: string): KubeObject => ({
    apiVersion: "networking.istio.io/v1beta1",
    kind: "DestinationRule",
    metadata: { name: "web", namespace: "shop" },
    spec: {
      host: "web",
      trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } },
      subsets: [
        { name: "stable", labels: { app: "web", ...(stable ? { "sluice.dev/pod-template-hash": stable } : {}) } },
        { name: "canary", labels: { app: "web", ...(canary ? { "sluice.dev/pod-template-hash": canary } : {}) } },
        { name: "legacy", labels: { app: "web", version: "1" } },
      ],
    },
  });

  it("sets only the pod-template-hash label of the two subsets", () => {
    expect(destinationRuleWithHashes(dr(), bySubset, "DestinationRule shop/web")).toEqual(dr("aaaa", "bbbb"));
  });

  it("names a missing subset and its field", () => {
    const one = dr();
    (one.spec as { subsets: unknown[] }).subsets.splice(1, 1);
    expect(() => destinationRuleWithHashes(one, bySubset, "DestinationRule shop/web")).toThrow(
      'DestinationRule shop/web has no subset "canary" (spec.strategy.canary.trafficRouting.istio.destinationRule.canarySubsetName): add it or fix the name',
    );
  });
});
