import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { RouterConfig } from "./config.js";
import { StaleGenerationError } from "./errors.js";
import { Router } from "./router.js";

const routers: Router[] = [];
afterEach(async () => {
  await Promise.all(routers.splice(0).map((r) => r.close()));
});

function newRouter(): Router {
  const r = new Router({ closeGraceMs: 100 });
  routers.push(r);
  return r;
}

const cfg = (generation: number, extra: Partial<RouterConfig["rollouts"][number]> = {}): RouterConfig => ({
  generation,
  rollouts: [
    {
      rollout: "shop",
      hosts: ["shop"],
      backends: [{ revision: "a", endpoints: ["127.0.0.1:9"] }],
      traffic: { weights: { a: 100 }, headerRoutes: [], mirrorRoutes: [], preview: "a" },
      ...extra,
    },
  ],
});

describe("Router.apply", () => {
  it("swaps configs and refuses an older generation, keeping the newer one", async () => {
    const r = newRouter();
    await r.apply(cfg(2));
    await expect(r.apply(cfg(1))).rejects.toBeInstanceOf(StaleGenerationError);
    expect(r.config?.generation).toBe(2);
    await r.apply(cfg(2));
    await r.apply(cfg(3));
    expect(r.config?.generation).toBe(3);
  });

  it("refuses only the rollout whose route does not compile; it keeps its last accepted route", async () => {
    const logged: string[] = [];
    const r = new Router({ closeGraceMs: 100, log: (message) => logged.push(message) });
    routers.push(r);
    const cart = { ...cfg(0).rollouts[0]!, rollout: "cart", hosts: ["cart"] };
    await r.apply({ generation: 1, rollouts: [cfg(1).rollouts[0]!, cart] });
    const bad = (generation: number): RouterConfig => {
      const c = cfg(generation);
      c.rollouts[0]!.traffic.headerRoutes = [{ name: "h", revision: "a", match: [{ path: { regex: "(" } }] }];
      c.rollouts[0]!.backends = [{ revision: "a", endpoints: ["127.0.0.1:10"] }];
      c.rollouts.push({ ...cart, traffic: { ...cart.traffic, weights: { a: 0, b: 100 } } });
      return c;
    };
    const result = await r.apply(bad(2));
    expect(result.refused).toEqual([
      {
        rollout: "shop",
        path: "traffic.headerRoutes[0].match[0].path.regex",
        message: expect.stringMatching(/^invalid regex "\("/),
      },
    ]);
    expect(r.config?.generation).toBe(2);
    const served = Object.fromEntries(r.config!.rollouts.map((x) => [x.rollout, x]));
    // cart's change is live; shop keeps its old matches and weights, on the endpoints it has now.
    expect(served.cart!.traffic.weights).toEqual({ a: 0, b: 100 });
    expect(served.shop!.traffic.headerRoutes).toEqual([]);
    expect(served.shop!.backends).toEqual([{ revision: "a", endpoints: ["127.0.0.1:10"] }]);
    expect(r.refused.map((x) => x.rollout)).toEqual(["shop"]);

    // Sent again and again, the same refusal is logged once.
    await r.apply(bad(3));
    await r.apply(bad(4));
    expect(logged.filter((m) => m.startsWith("route refused"))).toHaveLength(1);

    await r.apply({ generation: 5, rollouts: [cfg(5).rollouts[0]!, cart] });
    expect(r.refused).toEqual([]);
    expect(logged).toContain("route accepted again");
  });

  it("does not serve a refused rollout that never had an accepted route, and says so", async () => {
    const r = newRouter();
    const c = cfg(1);
    c.rollouts[0]!.traffic.mirrorRoutes = [
      { name: "m", revision: "a", percentage: 10, match: [{ method: { regex: "(?=x)" } }] },
    ];
    const result = await r.apply(c);
    expect(result.refused.map((x) => x.path)).toEqual(["traffic.mirrorRoutes[0].match[0].method.regex"]);
    expect(r.config?.rollouts).toEqual([]);
  });

  it("opens, reports and closes preview listeners, and warns when one cannot open", async () => {
    const r = newRouter();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const takenAddress = `127.0.0.1:${(taken.address() as AddressInfo).port}`;
    try {
      const result = await r.apply(cfg(1, { previewListen: takenAddress }));
      expect(result.warnings).toHaveLength(1);
      expect(result.warnings[0]).toMatch(/could not open/);
      expect(r.previewListeners()).toEqual({});
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    const free = createServer();
    await new Promise<void>((resolve) => free.listen(0, "127.0.0.1", resolve));
    const freeAddress = `127.0.0.1:${(free.address() as AddressInfo).port}`;
    await new Promise((resolve) => free.close(resolve));
    expect((await r.apply(cfg(2, { previewListen: freeAddress }))).warnings).toEqual([]);
    expect(r.previewListeners()).toEqual({ shop: freeAddress });
    await r.apply(cfg(3));
    expect(r.previewListeners()).toEqual({});
  });

  it("counts nothing in flight and renders metrics before any traffic", async () => {
    const r = newRouter();
    await r.apply(cfg(5));
    expect(r.inflight("127.0.0.1:9")).toBe(0);
    expect(r.metrics()).toContain("sluice_router_config_generation 5");
  });
});
