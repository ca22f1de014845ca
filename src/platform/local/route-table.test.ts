import { describe, expect, it } from "vitest";
import type { TrafficSpec } from "../../engine/types.js";
import { buildRoutes, servableWeights } from "./route-table.js";

const traffic = (weights: Record<string, number>): TrafficSpec => ({ weights, headerRoutes: [], mirrorRoutes: [] });

describe("servableWeights", () => {
  it.each<{
    name: string;
    weights: Record<string, number>;
    ready: Record<string, number>;
    want: Record<string, number>;
  }>([
    {
      name: "keeps the split when every revision has endpoints",
      weights: { a: 80, b: 20 },
      ready: { a: 1, b: 1 },
      want: { a: 80, b: 20 },
    },
    {
      name: "moves weight off a revision with no endpoint",
      weights: { a: 80, b: 20 },
      ready: { a: 1, b: 0 },
      want: { a: 100, b: 0 },
    },
    {
      name: "spreads in proportion over the servable ones",
      weights: { a: 50, b: 25, c: 25 },
      ready: { a: 0, b: 1, c: 1 },
      want: { a: 0, b: 50, c: 50 },
    },
    {
      name: "falls back to anything servable",
      weights: { a: 100, b: 0 },
      ready: { a: 0, b: 2 },
      want: { a: 0, b: 100 },
    },
  ])("$name", ({ weights, ready, want }) => {
    const backends = Object.entries(ready).map(([revision, n]) => ({
      revision,
      endpoints: Array.from({ length: n }, (_, i) => `127.0.0.1:${9000 + i}`),
    }));
    expect(servableWeights(weights, backends)).toEqual(want);
  });
});

describe("buildRoutes", () => {
  it("makes a lone rollout the default route and names hosts after it", () => {
    const [route] = buildRoutes([
      { rollout: "web", traffic: traffic({ a: 100 }), backends: [{ revision: "a", endpoints: ["127.0.0.1:1"] }] },
    ]);
    expect(route?.default).toBe(true);
    expect(route?.hosts).toEqual(["web", "web.localhost"]);
  });

  it("has no default route when there are several rollouts", () => {
    const routes = buildRoutes([
      { rollout: "a", traffic: traffic({ x: 100 }), backends: [] },
      { rollout: "b", traffic: traffic({ y: 100 }), backends: [] },
    ]);
    expect(routes.map((r) => r.default)).toEqual([false, false]);
  });
});
