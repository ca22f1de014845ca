import { describe, expect, it } from "vitest";
import { trafficRouting } from "./argo-traffic.js";
import { formatNote, Notes } from "./notes.js";

const P = "spec.strategy.canary.trafficRouting";
const notes = () => new Notes("rollout.yaml", "Rollout/web");
const lines = (n: Notes) => n.notes.map(formatNote);

describe("trafficRouting", () => {
  it("copies nginx, smi and managedRoutes", () => {
    const n = notes();
    const tr = {
      nginx: { stableIngress: "web", annotationPrefix: "nginx.ingress.kubernetes.io" },
      smi: { rootService: "web", trafficSplitName: "web-split" },
      managedRoutes: [{ name: "testers" }],
    };
    expect(trafficRouting(tr, P, n)).toEqual(tr);
    expect(n.notes).toEqual([]);
  });

  it("copies istio with a destination rule and takes the first of several virtual services", () => {
    const n = notes();
    const out = trafficRouting(
      {
        istio: {
          virtualServices: [{ name: "web-vs", routes: ["primary"] }, { name: "web-vs-2" }],
          destinationRule: { name: "web-dr", canarySubsetName: "canary", stableSubsetName: "stable" },
        },
      },
      P,
      n,
    );
    expect(out).toEqual({
      istio: {
        virtualService: { name: "web-vs", routes: ["primary"] },
        destinationRule: { name: "web-dr", canarySubsetName: "canary", stableSubsetName: "stable" },
      },
    });
    expect(lines(n)).toEqual([
      `warning: rollout.yaml: Rollout/web ${P}.istio.virtualServices[1]: Sluice routes through one virtual service; dropped`,
    ]);
  });

  it("reads Argo's name.namespace references to Istio objects in another namespace", () => {
    const n = notes();
    const out = trafficRouting(
      {
        istio: {
          virtualService: { name: "web-vs.gateways" },
          destinationRule: { name: "web-dr.gateways", canarySubsetName: "canary", stableSubsetName: "stable" },
        },
      },
      P,
      n,
    );
    expect(out).toEqual({
      istio: {
        virtualService: { name: "web-vs", namespace: "gateways" },
        destinationRule: {
          name: "web-dr",
          namespace: "gateways",
          canarySubsetName: "canary",
          stableSubsetName: "stable",
        },
      },
    });
    expect(lines(n)).toEqual([]);
  });

  it("turns the Gateway API plugin into gatewayAPI", () => {
    const n = notes();
    const out = trafficRouting(
      { plugins: { "argoproj-labs/gatewayAPI": { httpRoute: "web-route", namespace: "prod", useHeaderRoutes: true } } },
      P,
      n,
    );
    expect(out).toEqual({ gatewayAPI: { httpRoute: "web-route", namespace: "prod" } });
    const list = trafficRouting(
      { plugins: { "argoproj-labs/gatewayAPI": { httpRoutes: [{ name: "r1", useHeaderRoutes: true }] } } },
      P,
      n,
    );
    expect(list).toEqual({ gatewayAPI: { httpRoute: "r1" } });
    expect(n.notes).toEqual([]);
  });

  it("drops routers Sluice does not have, one warning each", () => {
    const n = notes();
    const out = trafficRouting(
      {
        alb: { ingress: "web", servicePort: 80 },
        traefik: { weightedTraefikServiceName: "x" },
        plugins: { "argoproj-labs/contour": { httpProxy: "x" } },
      },
      P,
      n,
    );
    expect(out).toBeUndefined();
    expect(lines(n)).toEqual([
      `warning: rollout.yaml: Rollout/web ${P}.alb: no Sluice equivalent; dropped`,
      `warning: rollout.yaml: Rollout/web ${P}.traefik: no Sluice equivalent; dropped`,
      `warning: rollout.yaml: Rollout/web ${P}.plugins["argoproj-labs/contour"]: no Sluice equivalent; dropped`,
    ]);
  });
});
