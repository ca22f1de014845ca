import { describe, expect, it } from "vitest";
import { type AnalysisTemplate, type AnalysisTemplateSpec, API_VERSION, type Metric } from "../model/index.js";
import { checkTemplate } from "./template-checks.js";

function metric(name: string, over: Partial<Metric> = {}): Metric {
  return {
    name,
    provider: { builtin: { window: "1m", minRequests: 100 } },
    successCondition: "result.canary.successRate >= 0.99",
    failureLimit: 0,
    inconclusiveLimit: 0,
    consecutiveErrorLimit: 4,
    consecutiveSuccessLimit: 0,
    ...over,
  };
}

function template(spec: Partial<AnalysisTemplateSpec>): AnalysisTemplate {
  return {
    apiVersion: API_VERSION,
    kind: "AnalysisTemplate",
    metadata: { name: "t" },
    spec: { args: [], metrics: [], templates: [], dryRun: [], measurementRetention: [], ...spec },
  };
}

describe("checkTemplate", () => {
  it("accepts a sound template", () => {
    const t = template({
      args: [{ name: "service" }],
      metrics: [
        metric("success-rate", { interval: "1m", count: 5, failureLimit: 1 }),
        metric("p95", { successCondition: "result.canary.p95 <= 200", consecutiveSuccessLimit: 1 }),
      ],
      dryRun: [{ metricName: "p95" }],
      measurementRetention: [{ metricName: "success-rate", limit: 20 }],
    });
    expect(checkTemplate(t)).toEqual([]);
  });

  it("reports a condition that does not parse with the metric name and a caret", () => {
    const issues = checkTemplate(
      template({ metrics: [metric("success-rate", { successCondition: "result >= 0.99 &&" })] }),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe("spec.metrics[0].successCondition");
    expect(issues[0]?.message).toMatch(/^metric "success-rate": .+\n {2}result >= 0\.99 &&\n {19}\^$/);
  });

  it("reports type errors caught at check time", () => {
    const issues = checkTemplate(
      template({
        metrics: [
          metric("a", { successCondition: undefined, failureCondition: 'result > "x" + 1' }),
          metric("b", { successCondition: "latency < 200" }),
          metric("c", { successCondition: "size(result)" }),
        ],
      }),
    );
    expect(issues.map((i) => i.path)).toEqual([
      "spec.metrics[0].failureCondition",
      "spec.metrics[1].successCondition",
      "spec.metrics[2].successCondition",
    ]);
    expect(issues[1]?.message).toMatch(/Unknown variable: latency/);
    expect(issues[2]?.message).toMatch(/must be a boolean/);
  });

  it("reports a matches pattern RE2 cannot run and a condition over the cost budget, with the field path", () => {
    const issues = checkTemplate(
      template({
        metrics: [
          metric("m", { successCondition: 'result.matches("(a)\\\\1")' }),
          metric("n", { failureCondition: "result.all(x, result.all(y, x < y))" }),
        ],
      }),
    );
    expect(issues.map((i) => i.path)).toEqual(["spec.metrics[0].successCondition", "spec.metrics[1].failureCondition"]);
    expect(issues[0]?.message).toMatch(/RE2/);
    expect(issues[1]?.message).toMatch(/over the budget/);
  });

  it.each([
    [{ count: 3 }, "spec.metrics[0].count", /count 3 needs an interval/],
    [{ interval: "0s", count: 2 }, "spec.metrics[0].interval", /interval must be longer than 0/],
    [
      { interval: "1m", count: 2, consecutiveSuccessLimit: 3 },
      "spec.metrics[0].consecutiveSuccessLimit",
      /can never be reached in 2/,
    ],
    [{ consecutiveSuccessLimit: 2 }, "spec.metrics[0].consecutiveSuccessLimit", /in 1 measurement$/],
  ] as const)("reports %j", (over, path, message) => {
    const issues = checkTemplate(template({ metrics: [metric("m", over)] }));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe(path);
    expect(issues[0]?.message).toMatch(message);
  });

  it("requires metrics unless the template includes others", () => {
    const t = template({ templates: [{ templateName: "base", clusterScope: false }] });
    expect(checkTemplate(t)).toEqual([]);
    expect(checkTemplate(template({}))).toEqual([{ path: "spec.metrics", message: "the template defines no metrics" }]);
  });
});
