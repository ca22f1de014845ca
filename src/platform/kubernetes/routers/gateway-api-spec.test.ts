import { describe, expect, it } from "vitest";
import { exampleTargets } from "./example-targets.js";
import {
  httpRouteWeight,
  httpRouteWithHeaderRoutes,
  httpRouteWithMirrorRoutes,
  httpRouteWithoutManaged,
  httpRouteWithWeight,
} from "./gateway-api-spec.js";
import type { KubeObject } from "./objects.js";
import { TrafficRoutingError } from "./port.js";

const targets = exampleTargets();
const ctx = { where: "HTTPRoute shop/web", field: "spec.strategy.canary.trafficRouting.gatewayAPI.httpRoute" };

const staticRule = {
  name: "static",
  matches: [{ path: { type: "PathPrefix", value: "/static" } }],
  backendRefs: [{ name: "cdn", port: 80 }],
};

function route(rules: unknown[]): KubeObject {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "web", namespace: "shop", resourceVersion: "7", labels: { team: "shop" } },
    spec: { parentRefs: [{ name: "gw" }], hostnames: ["web.example"], rules },
  };
}

const userRule = (canaryWeight?: number) => ({
  matches: [{ path: { type: "PathPrefix", value: "/" } }],
  backendRefs: [
    { name: "web-stable", port: 8080, weight: 100 - (canaryWeight ?? 0) },
    { name: "web-canary", port: 8080, weight: canaryWeight ?? 0 },
  ],
});

const rulesOf = (o: KubeObject) => o.spec?.rules as Record<string, unknown>[];

describe("httpRouteWithWeight", () => {
  it("sets both weights on the split rule and leaves every other field as it was", () => {
    const before = route([userRule(), staticRule]);
    const frozen = structuredClone(before);
    const after = httpRouteWithWeight(before, targets, 30, ctx);
    expect(after).toEqual({ ...frozen, spec: { ...frozen.spec, rules: [userRule(30), staticRule] } });
    expect(before).toEqual(frozen);
  });

  it("adds the canary beside a stable backendRef that stands alone, shaped like it", () => {
    const alone = { backendRefs: [{ name: "web-stable", namespace: "shop", port: 8080, filters: [{ type: "X" }] }] };
    const after = httpRouteWithWeight(route([alone]), targets, 10, ctx);
    expect(rulesOf(after)[0]?.backendRefs).toEqual([
      { name: "web-stable", namespace: "shop", port: 8080, filters: [{ type: "X" }], weight: 90 },
      { name: "web-canary", namespace: "shop", port: 8080, weight: 10 },
    ]);
  });

  it("refuses a route without the stable Service, naming the field", () => {
    expect(() => httpRouteWithWeight(route([staticRule]), targets, 10, ctx)).toThrow(
      'HTTPRoute shop/web has no rule with a backendRef to the stable Service "web-stable" (spec.strategy.canary.trafficRouting.gatewayAPI.httpRoute): add one',
    );
  });

  it("ignores a backendRef of another kind that happens to share the name", () => {
    const rule = { backendRefs: [{ name: "web-stable", kind: "Bucket", group: "storage.example" }] };
    expect(() => httpRouteWithWeight(route([rule]), targets, 10, ctx)).toThrow(TrafficRoutingError);
  });
});

describe("httpRouteWithHeaderRoutes", () => {
  const header = { name: "beta", match: [{ headerName: "x-beta", headerValue: { exact: "1" } }] };

  it("puts a sluice- rule first that sends the matching requests of the split rule to the canary", () => {
    const after = httpRouteWithHeaderRoutes(route([userRule(20), staticRule]), targets, [header], ctx);
    expect(rulesOf(after)).toEqual([
      {
        name: "sluice-beta",
        matches: [
          { path: { type: "PathPrefix", value: "/" }, headers: [{ type: "Exact", name: "x-beta", value: "1" }] },
        ],
        backendRefs: [{ name: "web-canary", port: 8080 }],
      },
      userRule(20),
      staticRule,
    ]);
  });

  it.each([
    [
      { headerName: "x", headerValue: { prefix: "a.b" } },
      { headers: [{ type: "RegularExpression", name: "x", value: "^a\\.b.*" }] },
    ],
    [
      { headerName: "x", headerValue: { regex: "v[0-9]+" } },
      { headers: [{ type: "RegularExpression", name: "x", value: "v[0-9]+" }] },
    ],
    [{ headerName: "x" }, { headers: [{ type: "RegularExpression", name: "x", value: ".*" }] }],
    [{ method: { exact: "post" } }, { method: "POST" }],
    [{ path: { exact: "/a" } }, { path: { type: "Exact", value: "/a" } }],
    [{ path: { prefix: "/api" } }, { path: { type: "PathPrefix", value: "/api" } }],
    [{ path: { regex: "/v[12]/.*" } }, { path: { type: "RegularExpression", value: "/v[12]/.*" } }],
  ])("translates %j into %j", (match, expected) => {
    const after = httpRouteWithHeaderRoutes(
      route([{ backendRefs: [{ name: "web-stable" }] }]),
      targets,
      [{ name: "m", match: [match] }],
      ctx,
    );
    expect(rulesOf(after)[0]?.matches).toEqual([expected]);
  });

  it("scopes the header match to every match of every split rule", () => {
    const two = {
      matches: [{ path: { type: "PathPrefix", value: "/api" } }, { path: { type: "Exact", value: "/login" } }],
      backendRefs: [{ name: "web-stable", port: 80 }],
    };
    const after = httpRouteWithHeaderRoutes(route([two]), targets, [header], ctx);
    const h = [{ type: "Exact", name: "x-beta", value: "1" }];
    expect(rulesOf(after)[0]?.matches).toEqual([
      { path: { type: "PathPrefix", value: "/api" }, headers: h },
      { path: { type: "Exact", value: "/login" }, headers: h },
    ]);
  });

  it.each([
    [{ cookieName: "c", cookieValue: { exact: "1" } }, "Gateway API cannot match cookies"],
    [{ method: { regex: "P.*" } }, "matches methods exactly only"],
  ])("refuses %j", (match, message) => {
    expect(() => httpRouteWithHeaderRoutes(route([userRule()]), targets, [{ name: "m", match: [match] }], ctx)).toThrow(
      message,
    );
  });

  it("refuses a route name that cannot name a rule, and duplicate names", () => {
    expect(() => httpRouteWithHeaderRoutes(route([userRule()]), targets, [{ ...header, name: "Beta_1" }], ctx)).toThrow(
      /route name "Beta_1" cannot name an HTTPRoute rule/,
    );
    expect(() => httpRouteWithHeaderRoutes(route([userRule()]), targets, [header, header], ctx)).toThrow(
      'two routes are named "beta"',
    );
  });

  it("is level-based: the managed header rules become exactly the routes given, mirror rules stay", () => {
    const mirror = { name: "shadow", match: [], percentage: 5 };
    let r = httpRouteWithMirrorRoutes(route([userRule()]), targets, [mirror], ctx);
    r = httpRouteWithHeaderRoutes(r, targets, [header, { ...header, name: "gamma" }], ctx);
    expect(rulesOf(r).map((x) => x.name)).toEqual(["sluice-beta", "sluice-gamma", "sluice-shadow", undefined]);
    r = httpRouteWithHeaderRoutes(r, targets, [{ ...header, name: "gamma" }], ctx);
    expect(rulesOf(r).map((x) => x.name)).toEqual(["sluice-gamma", "sluice-shadow", undefined]);
    r = httpRouteWithHeaderRoutes(r, targets, [], ctx);
    expect(rulesOf(r).map((x) => x.name)).toEqual(["sluice-shadow", undefined]);
  });

  it("gives the same rules whichever kind is set first", () => {
    const mirror = [{ name: "shadow", match: [], percentage: 5 }];
    const a = httpRouteWithHeaderRoutes(
      httpRouteWithMirrorRoutes(route([userRule()]), targets, mirror, ctx),
      targets,
      [header],
      ctx,
    );
    const b = httpRouteWithMirrorRoutes(
      httpRouteWithHeaderRoutes(route([userRule()]), targets, [header], ctx),
      targets,
      mirror,
      ctx,
    );
    expect(a).toEqual(b);
  });

  it("orders managed rules as managedRoutes lists them", () => {
    const r = httpRouteWithHeaderRoutes(route([userRule()]), targets, [header, { ...header, name: "gamma" }], ctx, [
      { name: "gamma" },
      { name: "beta" },
    ]);
    expect(rulesOf(r).map((x) => x.name)).toEqual(["sluice-gamma", "sluice-beta", undefined]);
  });

  it("skips a header route without matches, which would send everything to the canary", () => {
    const r = httpRouteWithHeaderRoutes(route([userRule()]), targets, [{ name: "all", match: [] }], ctx);
    expect(rulesOf(r)).toEqual([userRule()]);
  });
});

describe("httpRouteWithMirrorRoutes", () => {
  it("copies the split rule, serving as usual, with a RequestMirror filter to the canary at the percentage", () => {
    const withFilter = { ...userRule(10), filters: [{ type: "URLRewrite", urlRewrite: { hostname: "x" } }] };
    const r = httpRouteWithMirrorRoutes(
      route([withFilter]),
      targets,
      [{ name: "shadow", match: [], percentage: 25 }],
      ctx,
    );
    expect(rulesOf(r)[0]).toEqual({
      name: "sluice-shadow",
      matches: [{ path: { type: "PathPrefix", value: "/" } }],
      filters: [
        { type: "URLRewrite", urlRewrite: { hostname: "x" } },
        { type: "RequestMirror", requestMirror: { backendRef: { name: "web-canary", port: 8080 }, percent: 25 } },
      ],
      backendRefs: userRule(10).backendRefs,
    });
    expect(rulesOf(r)[1]).toEqual(withFilter);
  });

  it("leaves out matches when a split rule matches everything, and scopes step matches", () => {
    const all = { backendRefs: [{ name: "web-stable", port: 80 }] };
    const r = httpRouteWithMirrorRoutes(
      route([all]),
      targets,
      [
        { name: "all", match: [], percentage: 100 },
        { name: "posts", match: [{ method: { exact: "POST" } }], percentage: 50 },
      ],
      ctx,
    );
    expect(rulesOf(r)[0]).not.toHaveProperty("matches");
    expect(rulesOf(r)[1]?.matches).toEqual([{ method: "POST" }]);
  });

  it("keeps mirror rules in step with later weights, while header rules stay all-canary", () => {
    let r = httpRouteWithMirrorRoutes(
      route([userRule()]),
      targets,
      [{ name: "shadow", match: [], percentage: 5 }],
      ctx,
    );
    r = httpRouteWithHeaderRoutes(
      r,
      targets,
      [{ name: "beta", match: [{ headerName: "x", headerValue: { exact: "1" } }] }],
      ctx,
    );
    r = httpRouteWithWeight(r, targets, 40, ctx);
    const byName = Object.fromEntries(rulesOf(r).map((x) => [x.name ?? "user", x.backendRefs]));
    expect(byName["sluice-shadow"]).toEqual(userRule(40).backendRefs);
    expect(byName.user).toEqual(userRule(40).backendRefs);
    expect(byName["sluice-beta"]).toEqual([{ name: "web-canary", port: 8080 }]);
  });
});

describe("httpRouteWithoutManaged and httpRouteWeight", () => {
  it("removes every sluice- rule, keeps the user's, and puts 100% on stable", () => {
    let r = httpRouteWithWeight(route([userRule(), staticRule]), targets, 50, ctx);
    r = httpRouteWithHeaderRoutes(r, targets, [{ name: "beta", match: [{ headerName: "x" }] }], ctx);
    r = httpRouteWithMirrorRoutes(r, targets, [{ name: "shadow", match: [], percentage: 5 }], ctx);
    const clean = httpRouteWithoutManaged(r, targets, ctx);
    expect(clean).toEqual(route([userRule(0), staticRule]));
  });

  it.each([
    [[userRule(30)], 30],
    [
      [
        {
          backendRefs: [
            { name: "web-stable", weight: 3 },
            { name: "web-canary", weight: 1 },
          ],
        },
      ],
      25,
    ],
    [[{ backendRefs: [{ name: "web-stable" }, { name: "web-canary" }] }], 50],
    [
      [
        {
          backendRefs: [
            { name: "web-stable", weight: 0 },
            { name: "web-canary", weight: 0 },
          ],
        },
      ],
      0,
    ],
    [[{ backendRefs: [{ name: "web-stable" }] }], undefined],
    [[staticRule], undefined],
  ])("reads %j as canary weight %s", (rules, weight) => {
    expect(httpRouteWeight(route(rules), targets)).toBe(weight);
  });
});
