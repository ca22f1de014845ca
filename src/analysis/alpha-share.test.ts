import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AnalysisTemplate, Strategy } from "../model/index.js";
import { validateResource } from "../model/validate.js";
import { judgedAnalyses, sharedRunAlpha } from "./alpha-share.js";
import type { TemplateLookup } from "./run-builder.js";

/** Templates parsed as a user writes them: `judged` judges errors, `threshold` does not, `dry` judges in dry-run only. */
function parsed(name: string, metric: Record<string, unknown>, extra: Record<string, unknown> = {}): AnalysisTemplate {
  const raw = {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: { name },
    spec: { metrics: [{ name: "m", provider: { builtin: {} }, ...metric }], ...extra },
  };
  const v = validateResource(raw);
  if (v.resource?.kind !== "AnalysisTemplate") throw new Error(JSON.stringify(v.issues));
  return v.resource;
}
const judged = parsed("judged", { judge: { errorRate: {} } });
const threshold = parsed("threshold", { successCondition: "result.canary.successRate >= 0.99" });
const dry = parsed("dry", { judge: { errorRate: {} } }, { dryRun: [{ metricName: "m" }] });
const templates = new Map([judged, threshold, dry].map((t) => [t.metadata.name, t]));
const lookup: TemplateLookup = {
  template: (n) => templates.get(n),
  clusterTemplate: (n) => (n === "cluster-judged" ? { ...judged, kind: "ClusterAnalysisTemplate" } : undefined),
};

const uses = (templateName: string, clusterScope = false) => ({
  analysis: { templates: [{ templateName, ...(clusterScope ? { clusterScope } : {}) }] },
});
const strategy = (raw: unknown) => Strategy.parse(raw);

describe("judgedAnalyses", () => {
  it.each<[string, unknown, number]>([
    ["no analysis", { canary: { steps: [{ setWeight: 20 }] } }, 1],
    ["one judged step", { canary: { steps: [{ setWeight: 20 }, uses("judged")] } }, 1],
    [
      "three judged steps",
      { canary: { steps: [uses("judged"), { setWeight: 50 }, uses("judged"), uses("judged")] } },
      3,
    ],
    [
      "background and a step",
      { canary: { analysis: { templates: [{ templateName: "judged" }] }, steps: [uses("judged")] } },
      2,
    ],
    [
      "threshold-only steps do not count",
      { canary: { steps: [uses("judged"), uses("threshold"), uses("threshold")] } },
      1,
    ],
    ["dry-run judges do not count", { canary: { steps: [uses("judged"), uses("dry")] } }, 1],
    ["an unknown template counts (the safe side)", { canary: { steps: [uses("judged"), uses("missing")] } }, 2],
    ["cluster templates", { canary: { steps: [uses("cluster-judged", true), uses("judged")] } }, 2],
    [
      "blue-green pre and post promotion",
      {
        blueGreen: {
          prePromotionAnalysis: { templates: [{ templateName: "judged" }] },
          postPromotionAnalysis: { templates: [{ templateName: "judged" }] },
        },
      },
      2,
    ],
  ])("%s: %i", (_name, raw, n) => {
    expect(judgedAnalyses(strategy(raw), lookup)).toBe(n);
  });
});

describe("sharedRunAlpha", () => {
  it("leaves a single analysis as it is and splits the default or the template's α otherwise", () => {
    expect(sharedRunAlpha(undefined, 1)).toBeUndefined();
    expect(sharedRunAlpha(0.05, 1)).toBe(0.05);
    expect(sharedRunAlpha(undefined, 3)).toBeCloseTo(0.01 / 3, 12);
    expect(sharedRunAlpha(0.05, 2)).toBe(0.025);
  });

  it("property: the shares of N analyses add up to the budget, each within the model's bounds", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-9, max: 0.5, noNaN: true }), fc.integer({ min: 2, max: 60 }), (alpha, n) => {
        const share = sharedRunAlpha(alpha, n) as number;
        expect(share).toBeGreaterThanOrEqual(1e-9);
        expect(share).toBeLessThanOrEqual(alpha);
        if (alpha / n >= 1e-9) expect(share * n).toBeCloseTo(alpha, 12);
      }),
    );
  });
});
