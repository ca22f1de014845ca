import { describe, expect, it } from "vitest";
import type { RouterConfig } from "./config.js";
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
    expect(parseRouterConfig(JSON.parse(JSON.stringify(valid)))).toEqual(valid);
  });

  it("fills missing optional lists", () => {
    const cfg = parseRouterConfig({
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

  it("names the offending field", () => {
    expect(errorOf({ generation: -1, rollouts: [] }).path).toBe("generation");
    expect(errorOf({ generation: 1, rollouts: {} }).path).toBe("rollouts");
    const badWeight = structuredClone(valid);
    (badWeight.rollouts[0]!.traffic.weights as Record<string, unknown>).a1 = "80";
    expect(errorOf(badWeight).path).toBe("rollouts[0].traffic.weights.a1");
    const badEndpoint = structuredClone(valid);
    badEndpoint.rollouts[0]!.backends[0]!.endpoints[0] = "localhost";
    expect(errorOf(badEndpoint).path).toBe("rollouts[0].backends[0].endpoints[0]");
    const badMatch = structuredClone(valid);
    badMatch.rollouts[0]!.traffic.headerRoutes[0]!.match[0]!.headerValue = { exact: "a", prefix: "b" };
    expect(errorOf(badMatch).path).toBe("rollouts[0].traffic.headerRoutes[0].match[0].headerValue");
  });

  it("rejects duplicate rollouts and bad cookie names", () => {
    expect(errorOf({ generation: 1, rollouts: [valid.rollouts[0], valid.rollouts[0]] }).message).toMatch(/duplicate/);
    const badCookie = structuredClone(valid);
    badCookie.rollouts[0]!.traffic.stickySession!.cookieName = "a b";
    expect(errorOf(badCookie).path).toBe("rollouts[0].traffic.stickySession.cookieName");
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
