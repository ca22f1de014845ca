import { KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { Rollout } from "../../../model/rollout.js";
import type { TrafficRouting } from "../../../model/strategy.js";
import { CompositeRouter, type RouterTargets, routerFor, type TrafficRouter } from "./index.js";

const kc = new KubeConfig();
kc.loadFromOptions({
  clusters: [{ name: "c", server: "https://127.0.0.1:1" }],
  users: [{ name: "u" }],
  contexts: [{ name: "x", cluster: "c", user: "u" }],
  currentContext: "x",
});

const rollout = (trafficRouting?: TrafficRouting) =>
  Rollout.parse({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "app" },
    spec: {
      template: { spec: { containers: [{ name: "a", image: "a" }] } },
      strategy: { canary: { stableService: "s", canaryService: "c", ...(trafficRouting ? { trafficRouting } : {}) } },
    },
  });

describe("routerFor", () => {
  it.each([
    [{ gatewayAPI: { httpRoute: "web" } }, "gatewayAPI"],
    [{ nginx: { stableIngress: "web" } }, "nginx"],
    [{ istio: { virtualService: { name: "web" } } }, "istio"],
    [{ smi: {} }, "smi"],
    [{ nginx: { stableIngress: "web" }, smi: {} }, "nginx+smi"],
  ])("picks the router for %j", (routing, name) => {
    expect(routerFor(rollout(routing), kc, "default")?.name).toBe(name);
  });

  it("has none without trafficRouting, or with an empty one", () => {
    expect(routerFor(rollout(), kc, "default")).toBeUndefined();
    expect(routerFor(rollout({}), kc, "default")).toBeUndefined();
  });
});

describe("CompositeRouter", () => {
  const targets: RouterTargets = {
    namespace: "n",
    stableHash: "a",
    canaryHash: "b",
    stableService: "s",
    canaryService: "c",
  };
  const fake = (name: string, weight: number | undefined, log: string[]): TrafficRouter => ({
    name,
    setWeight: async (_t, w) => void log.push(`${name} weight ${w}`),
    setHeaderRoutes: async (_t, r) => void log.push(`${name} headers ${r.length}`),
    setMirrorRoutes: async (_t, r) => void log.push(`${name} mirrors ${r.length}`),
    removeManagedRoutes: async () => void log.push(`${name} remove`),
    verifyWeight: async () => weight,
  });

  it("applies each change to every router in order", async () => {
    const log: string[] = [];
    const both = new CompositeRouter([fake("a", 10, log), fake("b", 10, log)]);
    await both.setWeight(targets, 10);
    await both.setHeaderRoutes(targets, []);
    await both.setMirrorRoutes(targets, []);
    await both.removeManagedRoutes(targets);
    expect(log).toEqual([
      "a weight 10",
      "b weight 10",
      "a headers 0",
      "b headers 0",
      "a mirrors 0",
      "b mirrors 0",
      "a remove",
      "b remove",
    ]);
    expect(await both.verifyWeight(targets)).toBe(10);
  });

  it("reports no weight when the routers disagree", async () => {
    expect(await new CompositeRouter([fake("a", 10, []), fake("b", 20, [])]).verifyWeight(targets)).toBeUndefined();
  });
});
