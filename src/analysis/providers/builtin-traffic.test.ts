import { describe, expect, it } from "vitest";
import { Metric } from "../../model/index.js";
import { BuiltinMetricProvider } from "./builtin.js";

const ctx = { args: {}, rollout: "web", canaryRevision: "c1", stableRevision: "s1" };

describe("builtin provider traffic", () => {
  it("asks the router for users', generated or all requests, as the metric says (all when absent)", async () => {
    const asked: unknown[] = [];
    const p = new BuiltinMetricProvider(async (_rollout, _window, traffic) => {
      asked.push(traffic);
      return [];
    });
    const measure = (builtin: Record<string, unknown>) =>
      p.measure(Metric.parse({ name: "m", provider: { builtin } }), ctx);
    const r = await measure({ traffic: "user" });
    await measure({ traffic: "generated" });
    const all = await measure({});
    expect(asked).toEqual(["user", "generated", "all"]);
    expect(r.query).toMatch(/ traffic=user$/);
    expect(all.query).not.toContain("traffic=");
    expect(Metric.safeParse({ name: "m", provider: { builtin: { traffic: "bots" } } }).success).toBe(false);
  });
});
