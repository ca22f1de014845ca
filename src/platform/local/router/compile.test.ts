import type { Dispatcher } from "undici";
import { describe, expect, it } from "vitest";
import { choose, compileConfig, eject, endpointsOf, pickUpstream, routeForHost, takeMirror } from "./compile.js";
import type { RolloutRoute, RouterConfig } from "./config.js";
import type { RequestView } from "./match.js";
import { Telemetry } from "./telemetry.js";
import { UpstreamSet } from "./upstreams.js";

const deps = () => ({
  upstreams: new UpstreamSet(() => ({ close: async () => {} }) as unknown as Dispatcher),
  telemetry: new Telemetry({ now: () => 0 }),
});

function route(over: Partial<RolloutRoute> & { rollout: string }): RolloutRoute {
  return {
    hosts: [over.rollout],
    backends: [
      { revision: "stable", endpoints: ["127.0.0.1:1001", "127.0.0.1:1002"] },
      { revision: "canary", endpoints: ["127.0.0.1:2001"] },
    ],
    traffic: { weights: { stable: 80, canary: 20 }, headerRoutes: [], mirrorRoutes: [] },
    ...over,
  };
}

const cfg = (...rollouts: RolloutRoute[]): RouterConfig => ({ generation: 1, rollouts });
const req = (headers: Record<string, string> = {}, url = "/"): RequestView => ({ method: "GET", url, headers });

describe("routeForHost", () => {
  it("finds a rollout by host, ignoring port and case", () => {
    const c = compileConfig(cfg(route({ rollout: "shop" }), route({ rollout: "cart" })), deps());
    expect(routeForHost(c, "SHOP:8080")?.rollout).toBe("shop");
    expect(routeForHost(c, "cart")?.rollout).toBe("cart");
    expect(routeForHost(c, "cart")?.rollout).toBe("cart"); // from the cache
    expect(routeForHost(c, "[::1]:80")).toBeUndefined();
  });

  it("falls back to the default route, or to the only route", () => {
    const withDefault = compileConfig(
      cfg(route({ rollout: "shop" }), route({ rollout: "cart", default: true })),
      deps(),
    );
    expect(routeForHost(withDefault, "unknown")?.rollout).toBe("cart");
    expect(routeForHost(withDefault, undefined)?.rollout).toBe("cart");
    const single = compileConfig(cfg(route({ rollout: "shop" })), deps());
    expect(routeForHost(single, "127.0.0.1:8080")?.rollout).toBe("shop");
    const none = compileConfig(cfg(route({ rollout: "a" }), route({ rollout: "b" })), deps());
    expect(routeForHost(none, "127.0.0.1")).toBeUndefined();
  });
});

describe("choose", () => {
  it("splits by weight", () => {
    const r = compileConfig(cfg(route({ rollout: "shop" })), deps()).routes.get("shop")!;
    const counts: Record<string, number> = {};
    for (let i = 0; i < 1000; i++) {
      const c = choose(r, req())!;
      expect(c.via).toBe("weight");
      counts[c.backend.revision] = (counts[c.backend.revision] ?? 0) + 1;
    }
    expect(counts).toEqual({ stable: 800, canary: 200 });
  });

  it("sends header-route matches to their revision regardless of weight", () => {
    const r = compileConfig(
      cfg(
        route({
          rollout: "shop",
          traffic: {
            weights: { stable: 100, canary: 0 },
            headerRoutes: [
              { name: "h", revision: "canary", match: [{ headerName: "x-canary", headerValue: { exact: "true" } }] },
            ],
            mirrorRoutes: [],
          },
        }),
      ),
      deps(),
    ).routes.get("shop")!;
    expect(choose(r, req({ "x-canary": "true" }))).toMatchObject({ via: "header", backend: { revision: "canary" } });
    expect(choose(r, req())?.backend.revision).toBe("stable");
  });

  it("honours a sticky cookie only while its revision has weight", () => {
    const sticky = { cookieName: "sluice-shop", maxAgeSeconds: 60 };
    const weights = { stable: 50, canary: 50 };
    const c1 = compileConfig(
      cfg(route({ rollout: "shop", traffic: { weights, headerRoutes: [], mirrorRoutes: [], stickySession: sticky } })),
      deps(),
    );
    const r1 = c1.routes.get("shop")!;
    for (let i = 0; i < 5; i++)
      expect(choose(r1, req({ cookie: "sluice-shop=canary" }))).toMatchObject({
        via: "cookie",
        backend: { revision: "canary" },
      });
    expect(r1.backends.get("canary")!.stickyCookie).toBe(
      "sluice-shop=canary; Path=/; Max-Age=60; HttpOnly; SameSite=Lax",
    );
    const r2 = compileConfig(
      cfg(
        route({
          rollout: "shop",
          traffic: { weights: { stable: 100, canary: 0 }, headerRoutes: [], mirrorRoutes: [], stickySession: sticky },
        }),
      ),
      deps(),
    ).routes.get("shop")!;
    expect(choose(r2, req({ cookie: "sluice-shop=canary" }))).toMatchObject({
      via: "weight",
      backend: { revision: "stable" },
    });
    expect(choose(r2, req({ cookie: "sluice-shop=gone" }))?.via).toBe("weight");
  });

  it("has nothing to choose when every weight is zero", () => {
    const r = compileConfig(
      cfg(route({ rollout: "shop", traffic: { weights: {}, headerRoutes: [], mirrorRoutes: [] } })),
      deps(),
    ).routes.get("shop")!;
    expect(choose(r, req())).toBeUndefined();
  });
});

describe("takeMirror", () => {
  it("copies exactly the percentage of matching requests", () => {
    const r = compileConfig(
      cfg(
        route({
          rollout: "shop",
          traffic: {
            weights: { stable: 100 },
            headerRoutes: [],
            mirrorRoutes: [{ name: "m", revision: "canary", match: [{ path: { prefix: "/api" } }], percentage: 30 }],
          },
        }),
      ),
      deps(),
    ).routes.get("shop")!;
    const m = r.mirrors[0]!;
    let copied = 0;
    for (let i = 0; i < 1000; i++) if (takeMirror(m, req({}, "/api/x"))) copied++;
    expect(copied).toBe(300);
    expect(takeMirror(m, req({}, "/other"))).toBe(false);
  });
});

describe("pickUpstream", () => {
  it("round-robins, skips ejected endpoints and avoids the one that failed", () => {
    const r = compileConfig(cfg(route({ rollout: "shop" })), deps()).routes.get("shop")!;
    const stable = r.backends.get("stable")!;
    const picks = [1, 2, 3, 4].map(() => pickUpstream(stable)!.endpoint);
    expect(picks).toEqual(["127.0.0.1:1001", "127.0.0.1:1002", "127.0.0.1:1001", "127.0.0.1:1002"]);
    eject(stable.upstreams[0]!);
    expect([1, 2, 3].map(() => pickUpstream(stable)!.endpoint)).toEqual(Array(3).fill("127.0.0.1:1002"));
    const failed = stable.upstreams[1]!;
    expect(pickUpstream(stable, failed)!.endpoint).toBe("127.0.0.1:1001");
    const canary = r.backends.get("canary")!;
    expect(pickUpstream(canary, canary.upstreams[0])).toBe(canary.upstreams[0]);
  });

  it("returns nothing for a revision without endpoints", () => {
    const r = compileConfig(
      cfg(route({ rollout: "shop", backends: [{ revision: "stable", endpoints: [] }] })),
      deps(),
    ).routes.get("shop")!;
    expect(pickUpstream(r.backends.get("stable")!)).toBeUndefined();
  });
});

describe("endpointsOf", () => {
  it("lists every endpoint once", () => {
    expect([...endpointsOf(cfg(route({ rollout: "a" }), route({ rollout: "b" })))].sort()).toEqual([
      "127.0.0.1:1001",
      "127.0.0.1:1002",
      "127.0.0.1:2001",
    ]);
  });
});

describe("compileConfig with a route that does not compile", () => {
  const badRegex = (r: RolloutRoute): RolloutRoute => ({
    ...r,
    traffic: {
      ...r.traffic,
      headerRoutes: [{ name: "h", revision: "canary", match: [{ headerName: "x", headerValue: { regex: "(" } }] }],
    },
  });

  it("routes every other rollout as sent and reports the refused one", () => {
    const c = compileConfig(cfg(badRegex(route({ rollout: "shop" })), route({ rollout: "cart" })), deps());
    expect(c.refused).toEqual([
      { rollout: "shop", path: "traffic.headerRoutes[0].match[0].headerValue.regex", message: expect.any(String) },
    ]);
    expect(routeForHost(c, "cart")?.rollout).toBe("cart");
    expect(routeForHost(c, "shop")).toBeUndefined();
    expect(c.source.rollouts.map((r) => r.rollout)).toEqual(["cart"]);
  });

  it("keeps the refused rollout's previous route, dialling its current endpoints", () => {
    const previous = cfg(route({ rollout: "shop" }), route({ rollout: "cart" }));
    const sent = badRegex(
      route({
        rollout: "shop",
        backends: [
          { revision: "stable", endpoints: ["127.0.0.1:3001"] },
          { revision: "canary", endpoints: [] },
        ],
      }),
    );
    sent.traffic.weights = { stable: 50, canary: 50 };
    const c = compileConfig({ generation: 2, rollouts: [sent, route({ rollout: "cart" })] }, { ...deps(), previous });
    const shop = c.routes.get("shop")!;
    // The previous split (80/20) and no header route, as served before the refused change.
    expect(shop.headerRoutes).toEqual([]);
    expect(shop.backends.get("stable")!.weight).toBe(80);
    // Stable's replicas moved: the new endpoint is dialled; canary has none now, so it keeps its old one.
    expect(shop.backends.get("stable")!.upstreams.map((u) => u.endpoint)).toEqual(["127.0.0.1:3001"]);
    expect(shop.backends.get("canary")!.upstreams.map((u) => u.endpoint)).toEqual(["127.0.0.1:2001"]);
    expect(endpointsOf(c.source)).toContain("127.0.0.1:3001");
    expect(c.refused.map((r) => r.rollout)).toEqual(["shop"]);
  });
});
