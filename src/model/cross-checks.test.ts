import { describe, expect, it } from "vitest";
import { AnalysisRun, AnalysisTemplate } from "./analysis.js";
import { crossChecks } from "./cross-checks.js";
import type { Resource } from "./resource.js";
import { Rollout } from "./rollout.js";

const meta = { apiVersion: "sluice.dev/v1alpha1", metadata: { name: "x" } };
const metric = (name: string) => ({ name, successCondition: "result > 0", provider: { builtin: {} } });

function template(spec: object): Resource {
  return AnalysisTemplate.parse({ ...meta, kind: "AnalysisTemplate", spec });
}
function canary(canarySpec: object): Resource {
  return Rollout.parse({
    ...meta,
    kind: "Rollout",
    spec: { template: { process: { command: "node" } }, strategy: { canary: canarySpec } },
  });
}
const messages = (r: Resource) => crossChecks(r).map((i) => `${i.path.join(".")}: ${i.message}`);

describe("crossChecks: analysis templates", () => {
  it("rejects duplicate metric names, pointing at the second", () => {
    expect(messages(template({ metrics: [metric("a"), metric("b"), metric("a")] }))).toEqual([
      'spec.metrics.2.name: duplicate metric name "a" (first at index 0)',
    ]);
  });

  it("rejects dryRun and measurementRetention entries naming no metric", () => {
    const t = template({
      metrics: [metric("a")],
      dryRun: [{ metricName: "a" }, { metricName: "b" }],
      measurementRetention: [{ metricName: "c", limit: 5 }],
    });
    expect(messages(t)).toEqual([
      'spec.dryRun.1.metricName: no metric named "b"',
      'spec.measurementRetention.0.metricName: no metric named "c"',
    ]);
  });

  it("does not judge metric names when other templates are merged in", () => {
    const t = template({ metrics: [], dryRun: [{ metricName: "b" }], templates: [{ templateName: "base" }] });
    expect(messages(t)).toEqual([]);
  });

  it("checks arguments: duplicates, value and valueFrom together, several sources", () => {
    const t = template({
      metrics: [metric("a")],
      args: [
        { name: "p" },
        { name: "p", value: "1" },
        { name: "q", value: "1", valueFrom: { env: "Q" } },
        { name: "r", valueFrom: { env: "R", file: "/r" } },
      ],
    });
    expect(messages(t)).toEqual([
      'spec.args.1.name: duplicate argument "p" (first at index 0)',
      "spec.args.2: set at most one of value or valueFrom",
      "spec.args.3.valueFrom: set exactly one of env, file or secretKeyRef",
    ]);
  });

  it("checks analysis runs too", () => {
    const run = AnalysisRun.parse({ ...meta, kind: "AnalysisRun", spec: { metrics: [metric("a"), metric("a")] } });
    expect(messages(run)).toEqual(['spec.metrics.1.name: duplicate metric name "a" (first at index 0)']);
  });

  it("accepts a clean template", () => {
    expect(messages(template({ metrics: [metric("a"), metric("b")], args: [{ name: "p" }] }))).toEqual([]);
  });
});

describe("crossChecks: canary routes and background analysis", () => {
  const header = (name: string, match = true) => ({
    setHeaderRoute: { name, ...(match ? { match: [{ headerName: "X-Canary", headerValue: { exact: "1" } }] } : {}) },
  });

  it("allows one header route name in several steps: a later step without match removes it", () => {
    expect(messages(canary({ steps: [header("t"), { setWeight: 10 }, header("t", false)] }))).toEqual([]);
  });

  it("rejects a name used for both a header route and a mirror route", () => {
    expect(messages(canary({ steps: [header("t"), { setMirrorRoute: { name: "t", percentage: 10 } }] }))).toEqual([
      'spec.strategy.canary.steps.1.setMirrorRoute.name: route "t" is already a setHeaderRoute route at steps[0]',
    ]);
  });

  it("checks routes against managedRoutes when they are listed", () => {
    const r = canary({
      trafficRouting: { managedRoutes: [{ name: "a" }, { name: "a" }], nginx: { stableIngress: "web" } },
      steps: [header("a"), header("b")],
    });
    expect(messages(r)).toEqual([
      'spec.strategy.canary.trafficRouting.managedRoutes.1.name: duplicate route "a" (first at index 0)',
      'spec.strategy.canary.steps.1.setHeaderRoute.name: route "b" is not listed in trafficRouting.managedRoutes',
    ]);
  });

  it("rejects a background analysis starting past the last step", () => {
    const r = canary({
      steps: [{ setWeight: 10 }],
      analysis: { templates: [{ templateName: "t" }], startingStep: 2 },
    });
    expect(messages(r)).toEqual([
      "spec.strategy.canary.analysis.startingStep: must be at most the number of steps (1)",
    ]);
  });
});
