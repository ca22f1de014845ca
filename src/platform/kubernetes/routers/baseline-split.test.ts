import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exampleTargets } from "./example-targets.js";
import { httpRouteWeight, httpRouteWithoutManaged, httpRouteWithWeight } from "./gateway-api-spec.js";
import {
  type IstioContext,
  virtualServiceWeight,
  virtualServiceWithoutManaged,
  virtualServiceWithWeight,
} from "./istio-spec.js";
import { checkWeights } from "./managed.js";
import type { KubeObject } from "./objects.js";
import { TrafficRoutingError } from "./port.js";
import { trafficSplit, trafficSplitWeight } from "./smi-spec.js";

// A baseline revision takes a share of its own: each router splits three ways while it runs and
// leaves the user's object as it was written (two ways) once it is gone.

const targets = exampleTargets({ baselineService: "web-baseline" });

describe("Gateway API with a baseline", () => {
  const ctx = { where: "HTTPRoute shop/web", field: "spec.strategy.canary.trafficRouting.gatewayAPI.httpRoute" };
  const route = (backendRefs: unknown[]): KubeObject => ({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "web", namespace: "shop" },
    spec: { rules: [{ backendRefs }, { backendRefs: [{ name: "cdn", port: 80 }] }] },
  });
  const refs = (o: KubeObject) => ((o.spec?.rules ?? []) as { backendRefs: unknown[] }[]).map((r) => r.backendRefs);

  it("adds the baseline beside stable, shaped like it, and reads the canary's share of all three", () => {
    const after = httpRouteWithWeight(route([{ name: "web-stable", port: 8080 }]), targets, 20, ctx, 20);
    expect(refs(after)).toEqual([
      [
        { name: "web-stable", port: 8080, weight: 60 },
        { name: "web-canary", port: 8080, weight: 20 },
        { name: "web-baseline", port: 8080, weight: 20 },
      ],
      [{ name: "cdn", port: 80 }],
    ]);
    expect(httpRouteWeight(after, targets)).toBe(20);
  });

  it("moves all three weights in place, then drops the baseline ref on promotion or abort", () => {
    const split = httpRouteWithWeight(route([{ name: "web-stable", port: 8080 }]), targets, 10, ctx, 10);
    const next = httpRouteWithWeight(split, targets, 40, ctx, 40);
    expect(refs(next)[0]).toEqual([
      { name: "web-stable", port: 8080, weight: 20 },
      { name: "web-canary", port: 8080, weight: 40 },
      { name: "web-baseline", port: 8080, weight: 40 },
    ]);
    expect(refs(httpRouteWithoutManaged(next, targets, ctx))[0]).toEqual([
      { name: "web-stable", port: 8080, weight: 100 },
      { name: "web-canary", port: 8080, weight: 0 },
    ]);
  });

  it("leaves a route alone when the rollout names no baseline Service", () => {
    const { baselineService: _b, ...two } = targets;
    const after = httpRouteWithWeight(
      route([{ name: "web-stable" }, { name: "web-baseline", weight: 5 }]),
      two,
      10,
      ctx,
    );
    expect(refs(after)[0]).toEqual([
      { name: "web-stable", weight: 90 },
      { name: "web-canary", weight: 10 },
      { name: "web-baseline", weight: 5 },
    ]);
  });
});

describe("Istio (by host) with a baseline", () => {
  const ctx: IstioContext = { where: "VirtualService shop/web", config: { virtualService: { name: "web" } }, targets };
  const vs = (route: unknown[]): KubeObject => ({
    apiVersion: "networking.istio.io/v1beta1",
    kind: "VirtualService",
    metadata: { name: "web", namespace: "shop" },
    spec: { hosts: ["web.example"], http: [{ name: "primary", route }] },
  });
  const routeOf = (o: KubeObject) => ((o.spec?.http ?? []) as { route: unknown[] }[])[0]?.route;

  it("adds the baseline host beside stable, then removes it when the baseline is gone", () => {
    const split = virtualServiceWithWeight(
      vs([{ destination: { host: "web-stable.shop.svc.cluster.local", port: { number: 80 } } }]),
      ctx,
      25,
      25,
    );
    expect(routeOf(split)).toEqual([
      { destination: { host: "web-stable.shop.svc.cluster.local", port: { number: 80 } }, weight: 50 },
      { destination: { host: "web-canary.shop.svc.cluster.local", port: { number: 80 } }, weight: 25 },
      { destination: { host: "web-baseline.shop.svc.cluster.local", port: { number: 80 } }, weight: 25 },
    ]);
    expect(virtualServiceWeight(split, ctx)).toBe(25);
    expect(routeOf(virtualServiceWithoutManaged(split, ctx))).toEqual([
      { destination: { host: "web-stable.shop.svc.cluster.local", port: { number: 80 } }, weight: 100 },
      { destination: { host: "web-canary.shop.svc.cluster.local", port: { number: 80 } }, weight: 0 },
    ]);
  });
});

describe("SMI with a baseline", () => {
  it("lists the baseline backend only while it has weight", () => {
    const input = { existing: undefined, name: "web", owner: { name: "web" }, config: {}, targets };
    const split = trafficSplit({ ...input, weight: 30, baselineWeight: 30 });
    expect(split.spec?.backends).toEqual([
      { service: "web-stable", weight: 40 },
      { service: "web-canary", weight: 30 },
      { service: "web-baseline", weight: 30 },
    ]);
    expect(trafficSplitWeight(split, targets)).toBe(30);
    expect(trafficSplit({ ...input, existing: split, weight: 0 }).spec?.backends).toEqual([
      { service: "web-stable", weight: 100 },
      { service: "web-canary", weight: 0 },
    ]);
  });
});

describe("checkWeights", () => {
  it("property: accepts exactly the pairs in 0..100 that fit beside stable, else a TrafficRoutingError", () => {
    fc.assert(
      fc.property(fc.double(), fc.double(), (canary, baseline) => {
        const fits =
          [canary, baseline].every((w) => Number.isFinite(w) && w >= 0 && w <= 100) &&
          Math.round(canary) + Math.round(baseline) <= 100;
        if (fits) {
          const w = checkWeights("gatewayAPI", canary, baseline);
          expect(w.canary + w.baseline).toBeLessThanOrEqual(100);
        } else expect(() => checkWeights("gatewayAPI", canary, baseline)).toThrow(TrafficRoutingError);
      }),
    );
  });
});
