import { describe, expect, it } from "vitest";
import { exampleTargets } from "./example-targets.js";
import {
  canaryIngress,
  canaryIngressName,
  canaryIngressWeight,
  currentHeaderAnnotations,
  headerAnnotations,
  type NginxConfig,
} from "./nginx-spec.js";
import type { KubeObject } from "./objects.js";

const targets = exampleTargets();
const config: NginxConfig = { stableIngress: "web" };
const backend = (name: string) => ({ service: { name, port: { number: 80 } } });

const stable: KubeObject = {
  apiVersion: "networking.k8s.io/v1",
  kind: "Ingress",
  metadata: {
    name: "web",
    namespace: "shop",
    labels: { team: "shop" },
    annotations: { "kubernetes.io/ingress.class": "nginx", "nginx.ingress.kubernetes.io/rewrite-target": "/" },
  },
  spec: {
    ingressClassName: "nginx",
    tls: [{ hosts: ["web.example"], secretName: "web-tls" }],
    rules: [
      {
        host: "web.example",
        http: {
          paths: [
            { path: "/", pathType: "Prefix", backend: backend("web-stable") },
            { path: "/static", pathType: "Prefix", backend: backend("cdn") },
          ],
        },
      },
      { host: "other.example", http: { paths: [{ path: "/", pathType: "Prefix", backend: backend("other") }] } },
    ],
  },
};

const input = { stable, existing: undefined, name: "web-app-canary", owner: { name: "app" }, config, targets };

describe("canaryIngress", () => {
  it("keeps the stable Ingress's hosts and paths that reach stable, sent to the canary, with the canary annotations", () => {
    expect(canaryIngress({ ...input, weight: 20, header: {} })).toEqual({
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: {
        name: "web-app-canary",
        namespace: "shop",
        labels: { "sluice.dev/rollout": "app", "app.kubernetes.io/managed-by": "sluice" },
        annotations: {
          "kubernetes.io/ingress.class": "nginx",
          "nginx.ingress.kubernetes.io/canary": "true",
          "nginx.ingress.kubernetes.io/canary-weight": "20",
        },
      },
      spec: {
        ingressClassName: "nginx",
        rules: [
          { host: "web.example", http: { paths: [{ path: "/", pathType: "Prefix", backend: backend("web-canary") }] } },
        ],
      },
    });
  });

  it("uses the annotation prefix, adds the extra annotations, and owns the Ingress when the rollout has a uid", () => {
    const c = canaryIngress({
      ...input,
      owner: { name: "app", uid: "u-1" },
      config: { ...config, annotationPrefix: "custom.io", additionalIngressAnnotations: { "custom.io/x": "y" } },
      weight: 5,
      header: { "custom.io/canary-by-header": "x-beta" },
    });
    expect(c.metadata.annotations).toEqual({
      "kubernetes.io/ingress.class": "nginx",
      "custom.io/x": "y",
      "custom.io/canary": "true",
      "custom.io/canary-weight": "5",
      "custom.io/canary-by-header": "x-beta",
    });
    expect(c.metadata.ownerReferences).toEqual([
      { apiVersion: "sluice.dev/v1alpha1", kind: "Rollout", name: "app", uid: "u-1", controller: true },
    ]);
  });

  it("keeps an existing canary Ingress's identity and status, so an unchanged one compares equal", () => {
    const first = canaryIngress({ ...input, weight: 20, header: {} });
    const existing = {
      ...first,
      metadata: { ...first.metadata, resourceVersion: "9", uid: "x" },
      status: { loadBalancer: {} },
    };
    expect(canaryIngress({ ...input, existing, weight: 20, header: {} })).toEqual(existing);
  });

  it("refuses a stable Ingress with no path to the stable Service", () => {
    const none = {
      ...stable,
      spec: { rules: [{ host: "a", http: { paths: [{ path: "/", backend: backend("x") }] } }] },
    };
    expect(() => canaryIngress({ ...input, stable: none, weight: 1, header: {} })).toThrow(
      'Ingress shop/web has no path to the stable Service "web-stable" (spec.strategy.canary.trafficRouting.nginx.stableIngress)',
    );
  });
});

describe("headerAnnotations", () => {
  const p = "nginx.ingress.kubernetes.io";
  it.each([
    [{ exact: "1" }, { [`${p}/canary-by-header`]: "x-beta", [`${p}/canary-by-header-value`]: "1" }],
    [{ regex: "a|b" }, { [`${p}/canary-by-header`]: "x-beta", [`${p}/canary-by-header-pattern`]: "a|b" }],
    [{ prefix: "v1." }, { [`${p}/canary-by-header`]: "x-beta", [`${p}/canary-by-header-pattern`]: "^v1\\..*" }],
  ])("matches %j with %j", (headerValue, expected) => {
    expect(headerAnnotations(config, [{ name: "beta", match: [{ headerName: "x-beta", headerValue }] }])).toEqual(
      expected,
    );
  });

  it("has none for no routes", () => {
    expect(headerAnnotations(config, [])).toEqual({});
  });

  it("refuses a second header match, and anything but a header name and value", () => {
    const one = { headerName: "a", headerValue: { exact: "1" } };
    expect(() =>
      headerAnnotations(config, [
        { name: "a", match: [one] },
        { name: "b", match: [one] },
      ]),
    ).toThrow('NGINX Ingress canaries match one header only, got 2 matches in "a", "b": keep one header match');
    expect(() => headerAnnotations(config, [{ name: "a", match: [{ ...one, path: { prefix: "/" } }] }])).toThrow(
      'match a header name and value only (route "a" also sets path)',
    );
    expect(() => headerAnnotations(config, [{ name: "a", match: [{ headerName: "a" }] }])).toThrow(
      "needs headerName and headerValue",
    );
  });
});

describe("reading the canary Ingress", () => {
  const c = canaryIngress({ ...input, weight: 45, header: { "nginx.ingress.kubernetes.io/canary-by-header": "x" } });

  it("finds its weight, and 0 when there is no canary Ingress", () => {
    expect(canaryIngressWeight(c, config)).toBe(45);
    expect(canaryIngressWeight(undefined, config)).toBe(0);
    expect(canaryIngressWeight({ metadata: { name: "x" } }, config)).toBeUndefined();
  });

  it("finds its header annotations", () => {
    expect(currentHeaderAnnotations(c, config)).toEqual({ "nginx.ingress.kubernetes.io/canary-by-header": "x" });
  });

  it("names it after the stable Ingress and the rollout", () => {
    expect(canaryIngressName("web", "app")).toBe("web-app-canary");
    expect(canaryIngressName("w".repeat(300), "app")).toHaveLength(253);
  });
});
