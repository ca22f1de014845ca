import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Resource } from "../ports/control-plane.js";
import { lintCommand } from "./lint.js";
import { placeholderIssues } from "./lint-placeholders.js";

const rollout = (image: string, extra = "") => `apiVersion: sluice.dev/v1alpha1
kind: Rollout
metadata:
  name: web
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: web
          image: ${image}
  strategy:
    canary:
      steps:
        - setWeight: 50${extra}
`;

function capture() {
  const out = { logs: [] as string[], errors: [] as string[] };
  return { out, sink: { log: (t: string) => out.logs.push(t), error: (t: string) => out.errors.push(t) } };
}

const asResource = (spec: unknown) => ({ kind: "Rollout", metadata: { name: "x" }, spec }) as unknown as Resource;

describe("placeholderIssues", () => {
  it.each([
    ["REPLACE-ME", "REPLACE-ME"],
    ["registry/app:replace_me", "REPLACE-ME"],
    ["<your-image>", "<your-…>"],
    ["CHANGEME", "REPLACE-ME"],
    ["TODO: real query", "TODO"],
    ["https://prometheus.example.com:9090", "example.com"],
    ["http://example.org/health", "example.com"],
  ])("finds %s", (value, what) => {
    const issues = placeholderIssues(asResource({ a: [{ b: value }] }));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe("spec.a[0].b");
    expect(issues[0]?.message).toContain(what);
  });

  it.each(["ghcr.io/acme/web:1.4.2", "https://prometheus.monitoring.svc:9090", "notexample.com", "todo-list", "<b>"])(
    "leaves %s alone",
    (value) => {
      expect(placeholderIssues(asResource({ v: value }))).toEqual([]);
    },
  );

  it("reports a placeholder planted anywhere in any value, once, and never throws", () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(json, fc.array(fc.string({ maxLength: 5 }), { maxLength: 4 }), (spec, keys) => {
        const clean = placeholderIssues(asResource(spec)).length;
        // Wrap the random value and plant one placeholder beside it under the random keys.
        let planted: unknown = "image: REPLACE-ME";
        for (const k of keys) planted = { [`k${k}`]: planted };
        const issues = placeholderIssues(asResource({ random: spec, planted }));
        expect(issues.length).toBe(clean + 1);
        expect(issues.some((i) => i.path.startsWith("spec.planted"))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe("a Release's source record", () => {
  it("is not checked (Sluice never calls it), while the rest of the Release is", () => {
    const release = {
      kind: "Release",
      metadata: { name: "shop-v2" },
      spec: { pipeline: "shop", image: "REPLACE-ME", source: { buildUrl: "https://ci.example.com/b/1" } },
    } as unknown as Resource;
    expect(placeholderIssues(release).map((i) => i.path)).toEqual(["spec.image"]);
  });
});

describe("lint warns on placeholders", () => {
  it("warns with file, line and path but exits 0: the resource is valid, only unfinished", async () => {
    const { out, sink } = capture();
    const code = await lintCommand(["-"], sink, { readStdin: async () => rollout("REPLACE-ME") });
    expect(code).toBe(0);
    expect(out.logs).toEqual(["1 resource OK"]);
    expect(out.errors).toEqual([
      'warning: <stdin>:11 spec.template.spec.containers[0].image: "REPLACE-ME" looks like a REPLACE-ME placeholder; put the real value before applying',
    ]);
  });

  it("prints nothing extra for a finished manifest", async () => {
    const { out, sink } = capture();
    expect(await lintCommand(["-"], sink, { readStdin: async () => rollout("ghcr.io/acme/web:1.4.2") })).toBe(0);
    expect(out.errors).toEqual([]);
  });
});
