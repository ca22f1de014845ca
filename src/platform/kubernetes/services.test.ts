import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { TrafficSpec } from "../../engine/types.js";
import { Rollout } from "../../model/index.js";
import { PlatformError } from "../port.js";
import { describeApiError } from "./api-errors.js";
import { pointServices, type ServiceClient, servicePointers, trafficRoles } from "./services.js";

const template = { spec: { containers: [{ name: "app", image: "nginx:1" }] } };

function rollout(strategy: unknown, status?: unknown) {
  return Rollout.parse({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "web" },
    spec: { template, strategy },
    ...(status ? { status } : {}),
  });
}

const rev = (hash: string, role: string, weight: number, number = 1) => ({ hash, number, role, replicas: 1, weight });
const traffic = (weights: Record<string, number>, preview?: string): TrafficSpec => ({
  weights,
  headerRoutes: [],
  mirrorRoutes: [],
  ...(preview ? { preview } : {}),
});

const canaryStrategy = { canary: { stableService: "web-stable", canaryService: "web-canary" } };
const blueGreenStrategy = { blueGreen: { activeService: "web-active", previewService: "web-preview" } };

describe("trafficRoles (canary)", () => {
  it("takes stable from status.stableRevision and the canary from the canary role", () => {
    const r = rollout(canaryStrategy, {
      stableRevision: "s1",
      currentRevision: "c1",
      revisions: [rev("s1", "stable", 70), rev("c1", "canary", 30, 2)],
    });
    expect(trafficRoles(r, traffic({ s1: 70, c1: 30 }))).toEqual({ stable: "s1", canary: "c1" });
  });

  it("keeps stable on the stable revision even when the canary carries more weight", () => {
    const r = rollout(canaryStrategy, {
      stableRevision: "s1",
      revisions: [rev("s1", "stable", 0), rev("c1", "canary", 100, 2)],
    });
    expect(trafficRoles(r, traffic({ s1: 0, c1: 100 }))).toEqual({ stable: "s1", canary: "c1" });
  });

  it("has no canary once the rollout is healthy, and falls back to the heaviest revision without status", () => {
    const healthy = rollout(canaryStrategy, {
      stableRevision: "c1",
      currentRevision: "c1",
      revisions: [rev("c1", "stable", 100, 2), rev("s1", "old", 0)],
    });
    expect(trafficRoles(healthy, traffic({ c1: 100, s1: 0 }))).toEqual({ stable: "c1" });
    expect(trafficRoles(rollout(canaryStrategy), traffic({ a: 20, b: 80 }))).toEqual({ stable: "b" });
    expect(trafficRoles(rollout(canaryStrategy), traffic({}))).toBeUndefined();
  });
});

describe("trafficRoles (blue-green)", () => {
  const status = (weights: [number, number]) => ({
    stableRevision: "blue",
    currentRevision: "green",
    revisions: [rev("blue", "stable", weights[0]), rev("green", "preview", weights[1], 2)],
  });

  it("keeps active on the old revision before the switch and moves it with the traffic", () => {
    const before = rollout(blueGreenStrategy, status([100, 0]));
    expect(trafficRoles(before, traffic({ blue: 100, green: 0 }, "green"))).toEqual({
      stable: "blue",
      canary: "green",
    });
    const after = rollout(blueGreenStrategy, status([0, 100]));
    expect(trafficRoles(after, traffic({ blue: 0, green: 100 }, "green"))).toEqual({ stable: "green" });
  });
});

describe("servicePointers", () => {
  it("points stable and canary Services, the canary one at stable when there is no canary", () => {
    const r = rollout(canaryStrategy);
    expect(servicePointers(r, { stable: "s1", canary: "c1" })).toEqual([
      { service: "web-stable", field: "spec.strategy.canary.stableService", hash: "s1" },
      { service: "web-canary", field: "spec.strategy.canary.canaryService", hash: "c1" },
    ]);
    expect(servicePointers(r, { stable: "s1" }).map((p) => p.hash)).toEqual(["s1", "s1"]);
  });

  it("points active and preview Services for blue-green", () => {
    expect(servicePointers(rollout(blueGreenStrategy), { stable: "blue", canary: "green" })).toEqual([
      { service: "web-active", field: "spec.strategy.blueGreen.activeService", hash: "blue" },
      { service: "web-preview", field: "spec.strategy.blueGreen.previewService", hash: "green" },
    ]);
  });

  it("names no Service when the rollout names none", () => {
    expect(servicePointers(rollout({ canary: {} }), { stable: "s1", canary: "c1" })).toEqual([]);
  });
});

describe("pointServices", () => {
  function fakeCore(missing: string[] = [], failWith?: unknown) {
    const calls: { name: string; namespace: string; body: unknown; fieldManager?: string }[] = [];
    const core: ServiceClient = {
      patchNamespacedService: async (req) => {
        calls.push(req);
        if (failWith) throw failWith;
        if (missing.includes(req.name))
          throw new ApiException(404, "Not Found", JSON.stringify({ message: `services "${req.name}" not found` }), {});
        return {};
      },
    };
    return { core, calls };
  }

  it("patches only the hash key of each selector, with the field manager", async () => {
    const { core, calls } = fakeCore();
    await pointServices(
      core,
      "shop",
      [{ service: "web-stable", field: "spec.strategy.canary.stableService", hash: "s1" }],
      "sluice-controller",
    );
    expect(calls).toEqual([
      {
        name: "web-stable",
        namespace: "shop",
        body: { spec: { selector: { "sluice.dev/pod-template-hash": "s1" } } },
        fieldManager: "sluice-controller",
      },
    ]);
  });

  it("names a missing Service and the Rollout field that refers to it", async () => {
    const { core } = fakeCore(["web-canary"]);
    const pointers = servicePointers(rollout(canaryStrategy), { stable: "s1", canary: "c1" });
    const err = await pointServices(core, "shop", pointers, "m").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as Error).message).toContain("Service shop/web-canary not found");
    expect((err as Error).message).toContain("spec.strategy.canary.canaryService");
    expect((err as Error).cause).toBeInstanceOf(ApiException);
  });

  it("wraps other failures with the server's message", async () => {
    const forbidden = new ApiException(403, "Forbidden", JSON.stringify({ message: "services is forbidden" }), {});
    const { core } = fakeCore([], forbidden);
    const pointers = [{ service: "web-active", field: "spec.strategy.blueGreen.activeService", hash: "b" }];
    await expect(pointServices(core, "shop", pointers, "m")).rejects.toThrow(
      "could not point Service shop/web-active (spec.strategy.blueGreen.activeService) at revision b: 403 services is forbidden",
    );
  });

  it("describeApiError reads a Status body, or falls back to the code or message", () => {
    expect(describeApiError(new ApiException(500, "x", "not json", {}))).toBe("HTTP 500");
    expect(describeApiError(new Error("boom"))).toBe("boom");
  });
});

describe("a baseline revision's Service", () => {
  const strategy = {
    canary: {
      ...canaryStrategy.canary,
      baseline: true,
      baselineService: "web-baseline",
      trafficRouting: { gatewayAPI: { httpRoute: "web" } },
    },
  };
  const status = {
    stableRevision: "s1",
    currentRevision: "c1",
    revisions: [rev("s1", "stable", 60), rev("c1", "canary", 20, 2)],
  };

  it("points at the baseline while the traffic being set gives it a share (before status lists it)", () => {
    const r = rollout(strategy, status);
    const roles = trafficRoles(r, traffic({ s1: 60, c1: 20, "s1-baseline": 20 }));
    expect(roles).toEqual({ stable: "s1", canary: "c1", baseline: "s1-baseline" });
    expect(servicePointers(r, roles ?? { stable: "s1" })).toContainEqual({
      service: "web-baseline",
      field: "spec.strategy.canary.baselineService",
      hash: "s1-baseline",
    });
  });

  it("follows stable when no baseline runs, so it never selects nothing", () => {
    const r = rollout(strategy, status);
    const roles = trafficRoles(r, traffic({ s1: 80, c1: 20 }));
    expect(roles).toEqual({ stable: "s1", canary: "c1" });
    expect(servicePointers(r, roles ?? { stable: "s1" })).toContainEqual(
      expect.objectContaining({ service: "web-baseline", hash: "s1" }),
    );
  });
});
