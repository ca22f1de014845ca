import { describe, expect, it } from "vitest";
import type { ImportContext, Referenced } from "./context.js";
import type { Obj } from "./fields.js";
import { type CanaryFacts, flaggerMetrics, type MeasurePlan, TemplateArgs } from "./flagger-metrics.js";
import { notSuggestion } from "./judge-suggestions.js";
import { formatNote, Notes } from "./notes.js";

const facts: CanaryFacts = { name: "podinfo", namespace: "test", target: "podinfo", service: "podinfo-svc" };
const canaryPlan: MeasurePlan = { count: 5, failureLimit: 4, untilFirstSuccess: true };

function run(metrics: unknown[], template?: Obj, plan = canaryPlan, dropUnsupported = false) {
  const notes = new Notes("c.yaml", "Canary/podinfo", undefined, dropUnsupported);
  const tnotes = new Notes("c.yaml", "MetricTemplate/t");
  const found: Referenced | undefined = template && { value: template, notes: tnotes };
  const ctx: ImportContext = {
    notes,
    find: (kind, name) => (kind === "MetricTemplate" && name === "t" ? found : undefined),
  };
  const args = new TemplateArgs();
  const out = flaggerMetrics(metrics, "spec.analysis.metrics", facts, "1m", plan, args, ctx);
  return { out, args: args.list, lines: [...notes.notes, ...tnotes.notes].filter(notSuggestion).map(formatNote) };
}

describe("flaggerMetrics", () => {
  it("turns the builtin success rate (percent) and duration (ms) into builtin conditions", () => {
    const { out, lines } = run([
      { name: "request-success-rate", thresholdRange: { min: 99.5 }, interval: "30s" },
      { name: "request-duration", thresholdRange: { max: 500 } },
    ]);
    expect(lines).toEqual([]);
    expect(out).toEqual([
      {
        name: "request-success-rate",
        interval: "30s",
        initialDelay: "30s",
        count: 5,
        successCondition: "result.canary.successRate >= 0.995",
        failureLimit: 4,
        consecutiveSuccessLimit: 1,
        provider: { builtin: { window: "30s" } },
      },
      {
        name: "request-duration",
        interval: "1m",
        initialDelay: "1m",
        count: 5,
        successCondition: "result.canary.p99 <= 500",
        failureLimit: 4,
        consecutiveSuccessLimit: 1,
        provider: { builtin: { window: "1m" } },
      },
    ]);
  });

  it("measures a fixed number of times for iterations", () => {
    const { out } = run([{ name: "request-duration", thresholdRange: { min: 1, max: 500 } }], undefined, {
      count: 10,
      failureLimit: 1,
      untilFirstSuccess: false,
    });
    expect(out[0]).toMatchObject({
      count: 10,
      failureLimit: 1,
      successCondition: "result.canary.p99 >= 1 && result.canary.p99 <= 500",
    });
    expect(out[0]).not.toHaveProperty("consecutiveSuccessLimit");
  });

  it("uses a MetricTemplate's query with Flagger's variables as template args", () => {
    const template = {
      apiVersion: "flagger.app/v1beta1",
      kind: "MetricTemplate",
      metadata: { name: "t" },
      spec: {
        provider: { type: "prometheus", address: "http://prom:9090", insecureSkipVerify: true },
        query:
          'sum(rate(x{ns="{{ namespace }}",d="{{ .Target }}",s="{{service}}",v="{{ variables.region }}"}[{{ interval }}]))',
      },
    };
    const { out, args, lines } = run(
      [{ name: "kpi", templateRef: { name: "t" }, thresholdRange: { max: 5 }, templateVariables: { region: "eu" } }],
      template,
    );
    expect(lines).toEqual([]);
    expect(out[0]?.provider).toEqual({
      prometheus: {
        address: "http://prom:9090",
        query:
          'sum(rate(x{ns="{{args.namespace}}",d="{{args.target}}",s="{{args.service}}",v="{{args.region}}"}[{{args.interval}}]))',
        insecure: true,
      },
    });
    expect(out[0]?.successCondition).toBe("result[0] <= 5");
    expect(args).toEqual([
      { name: "namespace", value: "test" },
      { name: "target", value: "podinfo" },
      { name: "service", value: "podinfo-svc" },
      { name: "region", value: "eu" },
      { name: "interval", value: "1m" },
    ]);
  });

  it("reads the deprecated threshold as Flagger does: a minimum rate, a maximum duration, a template's min", () => {
    const template = {
      metadata: { name: "t" },
      spec: { provider: { type: "prometheus", address: "http://prom:9090" }, query: "sum(up)" },
    };
    const { out, lines } = run(
      [
        { name: "request-success-rate", threshold: 99 },
        { name: "request-duration", threshold: 500 },
        { name: "kpi", templateRef: { name: "t" }, threshold: 3 },
      ],
      template,
    );
    expect(lines).toEqual([]);
    expect(out.map((m) => [m.name, m.successCondition])).toEqual([
      ["request-success-rate", "result.canary.successRate >= 0.99"],
      ["request-duration", "result.canary.p99 <= 500"],
      ["kpi", "result[0] >= 3"],
    ]);
  });

  it("prefers thresholdRange over threshold, as Flagger does, and says the threshold is ignored", () => {
    const { out, lines } = run([{ name: "request-duration", threshold: 900, thresholdRange: { max: 300 } }]);
    expect(out[0]?.successCondition).toBe("result.canary.p99 <= 300");
    expect(lines).toEqual([
      "warning: c.yaml: Canary/podinfo spec.analysis.metrics[0].threshold: thresholdRange is set too and wins, as in Flagger; ignored",
    ]);
  });

  const untranslatable = [
    { name: "request-success-rate" },
    { name: "custom-thing", thresholdRange: { max: 1 } },
    { name: "kpi", templateRef: { name: "t" }, thresholdRange: { max: 1 } },
    { name: "missing", templateRef: { name: "other" }, thresholdRange: { max: 1 } },
  ];
  const datadog = { metadata: { name: "t" }, spec: { provider: { type: "datadog" }, query: "q" } };

  it("refuses the Canary for each metric it cannot judge or measure, naming the flag that allows it", () => {
    const { out, lines } = run(untranslatable, datadog);
    expect(out).toEqual([]);
    const tail =
      "; not imported, as it would be less guarded than its source (pass --drop-unsupported to import it without this)";
    expect(lines).toEqual([
      `error: c.yaml: Canary/podinfo spec.analysis.metrics[0]: metric "request-success-rate" has neither thresholdRange nor threshold, so there is nothing to judge${tail}`,
      `error: c.yaml: Canary/podinfo spec.analysis.metrics[1]: metric "custom-thing" is not a Flagger builtin metric and has no templateRef${tail}`,
      `error: c.yaml: Canary/podinfo spec.analysis.metrics[2].templateRef: metric "kpi": MetricTemplate t cannot be translated: Sluice has no datadog provider yet${tail}`,
      `error: c.yaml: Canary/podinfo spec.analysis.metrics[3].templateRef: metric "missing": MetricTemplate other is not in the input (import it together with the Canary)${tail}`,
    ]);
  });

  it("with --drop-unsupported drops them with a loud warning each instead", () => {
    const { out, lines } = run(untranslatable, datadog, canaryPlan, true);
    expect(out).toEqual([]);
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      expect(line).toMatch(/^warning: c\.yaml: Canary\/podinfo spec\.analysis\.metrics\[\d\]/);
      expect(line).toContain("DROPPED (--drop-unsupported): the imported resource is less guarded than its source");
    }
  });
});

describe("TemplateArgs", () => {
  it("reuses a name for the same value and numbers it for another", () => {
    const a = new TemplateArgs();
    expect(a.ref("interval", "1m")).toBe("interval");
    expect(a.ref("interval", "1m")).toBe("interval");
    expect(a.ref("interval", "30s")).toBe("interval-2");
    expect(a.list).toEqual([
      { name: "interval", value: "1m" },
      { name: "interval-2", value: "30s" },
    ]);
  });
});
