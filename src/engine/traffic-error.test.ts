import { describe, expect, it } from "vitest";
import { EngineHarness, rolloutManifest, setVersion } from "./testing.js";

function canary(steps: unknown[]) {
  const h = new EngineHarness(rolloutManifest({ strategy: { canary: { steps } } }));
  h.settle();
  return h;
}

describe("a traffic router that cannot apply weights", () => {
  it("pauses the rollout at its step, says why, and goes on once the router recovers", () => {
    const h = canary([{ setWeight: 20 }, { pause: { duration: "1m" } }, { setWeight: 60 }]);
    h.trafficError = "HTTPRoute default/web not found";
    h.update((s) => setVersion(s, "v2"));
    expect(h.status.phase).toBe("Paused");
    expect(h.status.currentStepIndex).toBe(0);
    expect(h.status.pauseConditions.map((p) => p.reason)).toEqual(["TrafficRoutingError"]);
    expect(h.status.message).toContain("traffic router failed: HTTPRoute default/web not found");
    expect(h.events.filter((e) => e.reason === "TrafficRoutingError")).toHaveLength(1);

    // Time passing changes nothing while the router keeps failing: no step is taken on faith.
    h.advance(10 * 60_000);
    expect(h.status.currentStepIndex).toBe(0);
    expect(h.events.filter((e) => e.reason === "TrafficRoutingError")).toHaveLength(1);

    h.trafficError = undefined;
    h.settle();
    expect(h.status.pauseConditions.map((p) => p.reason)).toEqual(["CanaryPauseStep"]);
    expect(h.status.currentStepIndex).toBe(1);
    expect(h.reasons()).toContain("TrafficRoutingRecovered");
  });

  it("does not pause a rollout that is not in progress", () => {
    const h = canary([{ setWeight: 20 }]);
    h.trafficError = "VirtualService default/web not found";
    h.settle();
    expect(h.status.phase).toBe("Healthy");
    expect(h.status.pauseConditions).toEqual([]);
  });

  it("is idempotent: reconciling again with the same failure emits nothing new", () => {
    const h = canary([{ setWeight: 20 }, { pause: {} }]);
    h.trafficError = "conflicting edit";
    h.update((s) => setVersion(s, "v2"));
    const again = h.reconcileOnce();
    expect(again.events).toEqual([]);
    expect(again.status).toEqual(h.status);
  });
});

describe("a route the traffic router refuses as specified", () => {
  it("pauses the rollout at its step and marks it Degraded with the router's reason, once", () => {
    const h = canary([{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }]);
    h.trafficError = 'the router refused this rollout\'s route, traffic.headerRoutes[0]: invalid regex "("';
    h.trafficRefused = true;
    h.update((s) => setVersion(s, "v2"));
    expect(h.status.phase).toBe("Degraded");
    expect(h.status.message).toMatch(/^TrafficRouteRefused: the router refused/);
    expect(h.status.pauseConditions.map((p) => p.reason)).toEqual(["TrafficRoutingError"]);
    expect(h.status.conditions.find((c) => c.type === "Progressing")).toMatchObject({
      status: "False",
      reason: "TrafficRouteRefused",
    });
    h.advance(60_000);
    expect(h.status.currentStepIndex).toBe(0);
    expect(h.events.filter((e) => e.type === "Warning").map((e) => e.reason)).toEqual(["TrafficRoutingError"]);

    // The spec is fixed and the router takes the route: the rollout goes on from where it stopped.
    h.trafficError = undefined;
    h.trafficRefused = false;
    h.settle();
    expect(h.status.phase).toBe("Paused");
    expect(h.status.pauseConditions.map((p) => p.reason)).toEqual(["CanaryPauseStep"]);
    expect(h.reasons()).toContain("TrafficRoutingRecovered");
  });

  it("makes a rollout that is not in progress Degraded too, with one event", () => {
    const h = canary([{ setWeight: 20 }]);
    h.trafficError = "the router refused this rollout's route, traffic.stickySession.cookieName: bad";
    h.trafficRefused = true;
    h.settle();
    h.advance(60_000);
    expect(h.status.phase).toBe("Degraded");
    expect(h.status.conditions.find((c) => c.type === "Healthy")?.status).toBe("False");
    expect(h.events.filter((e) => e.reason === "TrafficRouteRefused")).toHaveLength(1);
    h.trafficError = undefined;
    h.settle();
    expect(h.status.phase).toBe("Healthy");
  });
});

describe("traffic split by replica count (no router)", () => {
  it("reports each revision's share of ready pods next to the weight it asked for", () => {
    const h = canary([{ setWeight: 25 }, { pause: {} }]);
    h.replicaRatioTraffic = true;
    h.update((s) => setVersion(s, "v2"));
    const byHash = Object.fromEntries(h.status.revisions.map((r) => [r.hash, r]));
    // 4 stable + ceil(4 × 25%) = 1 canary ready: the canary gets 1/5 of the pods, not 25%.
    expect(byHash[h.hash(2)]).toMatchObject({ weight: 25, actualWeight: 20 });
    expect(byHash[h.hash(1)]).toMatchObject({ weight: 75, actualWeight: 80 });
  });

  it("reports nothing where a router splits traffic", () => {
    const h = canary([{ setWeight: 25 }, { pause: {} }]);
    h.update((s) => setVersion(s, "v2"));
    expect(h.status.revisions.every((r) => r.actualWeight === undefined)).toBe(true);
  });
});
