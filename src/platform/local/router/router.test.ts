import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { RouterConfig } from "./config.js";
import { RouterConfigError, StaleGenerationError } from "./errors.js";
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

  it("keeps the served config when a new one does not compile", async () => {
    const r = newRouter();
    await r.apply(cfg(1));
    const bad = cfg(2);
    bad.rollouts[0]!.traffic.headerRoutes = [{ name: "h", revision: "a", match: [{ path: { regex: "(" } }] }];
    await expect(r.apply(bad)).rejects.toBeInstanceOf(RouterConfigError);
    expect(r.config?.generation).toBe(1);
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
