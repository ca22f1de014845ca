import { describe, expect, it } from "vitest";
import type { RolloutRoute, RouterConfig } from "./config.js";
import { RouterConfigError } from "./errors.js";
import { parseRouterConfig, splitHostPort } from "./validate.js";

const valid: RouterConfig = {
  generation: 3,
  rollouts: [
    {
      rollout: "shop",
      hosts: ["shop", "shop.localhost"],
      default: true,
      backends: [
        { revision: "a1", endpoints: ["127.0.0.1:4001", "127.0.0.1:4002"] },
        { revision: "b2", endpoints: [] },
      ],
      traffic: {
        weights: { a1: 80, b2: 20 },
        headerRoutes: [
          { name: "h", revision: "b2", match: [{ headerName: "x-canary", headerValue: { exact: "true" } }] },
        ],
        mirrorRoutes: [{ name: "m", revision: "b2", match: [], percentage: 10 }],
        preview: "b2",
        stickySession: { cookieName: "sluice-shop", maxAgeSeconds: 600 },
      },
      previewListen: "127.0.0.1:9001",
    },
  ],
};

function errorOf(value: unknown): RouterConfigError {
  try {
    parseRouterConfig(value);
  } catch (err) {
    if (err instanceof RouterConfigError) return err;
    throw err;
  }
  throw new Error("expected a RouterConfigError");
}

describe("parseRouterConfig", () => {
  it("accepts a full config unchanged", () => {
    expect(parseRouterConfig(JSON.parse(JSON.stringify(valid)))).toEqual({ config: valid, refused: [] });
  });

  it("fills missing optional lists", () => {
    const { config: cfg } = parseRouterConfig({
      generation: 1,
      rollouts: [{ rollout: "a", backends: [], traffic: { weights: {} } }],
    });
    expect(cfg.rollouts[0]).toEqual({
      rollout: "a",
      hosts: [],
      backends: [],
      traffic: { weights: {}, headerRoutes: [], mirrorRoutes: [] },
    });
  });

  it("throws for a config whose frame is wrong, naming the field", () => {
    expect(errorOf({ generation: -1, rollouts: [] }).path).toBe("generation");
    expect(errorOf({ generation: 1, rollouts: {} }).path).toBe("rollouts");
    expect(errorOf({ generation: 1, rollouts: [{ traffic: {} }] }).path).toBe("rollouts[0].rollout");
    expect(errorOf({ generation: 1, rollouts: [valid.rollouts[0], valid.rollouts[0]] }).message).toMatch(/duplicate/);
  });

  it("refuses one rollout with a bad field and keeps the others, naming the field within the rollout", () => {
    const other = { ...structuredClone(valid.rollouts[0]!), rollout: "cart", hosts: ["cart"] };
    const refusedPath = (mutate: (r: RolloutRoute) => void) => {
      const bad = structuredClone(valid.rollouts[0]!);
      mutate(bad);
      const parsed = parseRouterConfig({ generation: 1, rollouts: [bad, other] });
      expect(parsed.config.rollouts.map((r) => r.rollout)).toEqual(["cart"]);
      expect(parsed.refused).toHaveLength(1);
      expect(parsed.refused[0]!.rollout).toBe("shop");
      return parsed.refused[0]!.path;
    };
    expect(refusedPath((r) => ((r.traffic.weights as Record<string, unknown>).a1 = "80"))).toBe("traffic.weights.a1");
    expect(refusedPath((r) => (r.backends[0]!.endpoints[0] = "localhost"))).toBe("backends[0].endpoints[0]");
    expect(refusedPath((r) => (r.traffic.headerRoutes[0]!.match[0]!.headerValue = { exact: "a", prefix: "b" }))).toBe(
      "traffic.headerRoutes[0].match[0].headerValue",
    );
    expect(refusedPath((r) => (r.traffic.stickySession!.cookieName = "a b"))).toBe("traffic.stickySession.cookieName");
  });

  it("says what is wrong without repeating the path", () => {
    const bad = structuredClone(valid.rollouts[0]!);
    bad.traffic.stickySession!.cookieName = "a b";
    expect(parseRouterConfig({ generation: 1, rollouts: [bad] }).refused).toEqual([
      { rollout: "shop", path: "traffic.stickySession.cookieName", message: "is not a valid cookie name" },
    ]);
  });
});

describe("splitHostPort", () => {
  it("splits IPv4 and bracketed IPv6", () => {
    expect(splitHostPort("127.0.0.1:8080")).toEqual({ host: "127.0.0.1", port: 8080 });
    expect(splitHostPort("[::1]:80")).toEqual({ host: "::1", port: 80 });
    expect(() => splitHostPort("127.0.0.1")).toThrow(RouterConfigError);
    expect(() => splitHostPort(":80")).toThrow(RouterConfigError);
  });
});
