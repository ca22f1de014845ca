import { describe, expect, it } from "vitest";
import { parseResource } from "../model/load.js";
import { ORIGINAL_CONDITION_ANNOTATION, translateArgoAnalysisTemplate } from "./argo-analysis.js";
import type { ImportContext } from "./context.js";
import type { Obj } from "./fields.js";
import { formatNote, Notes } from "./notes.js";

function translate(spec: Obj, kind = "AnalysisTemplate", dropUnsupported = false) {
  const notes = new Notes("t.yaml", `${kind}/t`, undefined, dropUnsupported);
  const ctx: ImportContext = { notes, find: () => undefined };
  const [out] = translateArgoAnalysisTemplate(
    { apiVersion: "argoproj.io/v1alpha1", kind, metadata: { name: "t" }, spec },
    ctx,
  );
  return { out: out as Obj, lines: notes.notes.map(formatNote) };
}

const prom = { prometheus: { address: "http://prom:9090", query: "up" } };

describe("translateArgoAnalysisTemplate", () => {
  it("copies args, metric timing and limits, and translates conditions to CEL", () => {
    const { out, lines } = translate({
      args: [{ name: "svc" }, { name: "token", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }],
      metrics: [
        {
          name: "sr",
          interval: "30s",
          initialDelay: "1m",
          count: 4,
          successCondition: "len(result) > 0 and result[0] >= 0.95",
          failureCondition: "result[0] < 0.5",
          failureLimit: 1,
          inconclusiveLimit: 2,
          consecutiveErrorLimit: 3,
          consecutiveSuccessLimit: 2,
          provider: prom,
        },
      ],
    });
    expect(lines).toEqual([]);
    expect(out).toEqual({
      apiVersion: "sluice.dev/v1alpha1",
      kind: "AnalysisTemplate",
      metadata: {
        name: "t",
        annotations: {
          [ORIGINAL_CONDITION_ANNOTATION]: JSON.stringify({
            "sr.successCondition": "len(result) > 0 and result[0] >= 0.95",
          }),
        },
      },
      spec: {
        args: [{ name: "svc" }, { name: "token", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }],
        metrics: [
          {
            name: "sr",
            interval: "30s",
            initialDelay: "1m",
            count: 4,
            successCondition: "size(result) > 0 && result[0] >= 0.95",
            failureCondition: "result[0] < 0.5",
            failureLimit: 1,
            inconclusiveLimit: 2,
            consecutiveErrorLimit: 3,
            consecutiveSuccessLimit: 2,
            provider: prom,
          },
        ],
      },
    });
    expect(() => parseResource(out)).not.toThrow();
  });

  it("keeps a condition it cannot translate, with a warning", () => {
    const { out, lines } = translate({
      metrics: [{ name: "m", successCondition: "isInf(result) or result > 1", provider: prom }],
    });
    expect((out.spec as { metrics: Obj[] }).metrics[0]?.successCondition).toBe("isInf(result) or result > 1");
    expect(out.metadata).toEqual({ name: "t" });
    expect(lines).toEqual([
      "warning: t.yaml: AnalysisTemplate/t spec.metrics[0].successCondition: cannot translate the function isInf() to CEL; kept as written, fix it by hand",
    ]);
  });

  it("warns when the translation does not type-check as CEL", () => {
    const { lines } = translate({ metrics: [{ name: "m", successCondition: "'a' + 1 == result", provider: prom }] });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^warning: t\.yaml: AnalysisTemplate\/t spec\.metrics\[0\]\.successCondition: translated to "'a' \+ 1 == result", which is not valid CEL: .+; fix it by hand$/,
    );
  });

  it("refuses a template with a metric of a provider Sluice lacks, naming --drop-unsupported", () => {
    const { lines } = translate({ metrics: [{ name: "dd", provider: { datadog: { query: "q" } } }] });
    expect(lines).toEqual([
      'error: t.yaml: AnalysisTemplate/t spec.metrics[0].provider.datadog: metric "dd" cannot be translated: Sluice has no datadog provider; not imported, as it would be less guarded than its source (pass --drop-unsupported to import it without this)',
    ]);
  });

  it("with --drop-unsupported drops those metrics, and the dryRun and retention entries that named them", () => {
    const input = {
      metrics: [
        { name: "dd", provider: { datadog: { query: "q" } } },
        { name: "canary-shadow", provider: prom },
        { name: "kept", provider: prom },
      ],
      dryRun: [{ metricName: "dd" }, { metricName: ".*-shadow" }],
      measurementRetention: [{ metricName: ".*", limit: 5 }],
    };
    const { out, lines } = translate(input, "AnalysisTemplate", true);
    const spec = out.spec as Obj;
    expect((spec.metrics as Obj[]).map((m) => m.name)).toEqual(["canary-shadow", "kept"]);
    expect(spec.dryRun).toEqual([{ metricName: "canary-shadow" }]);
    expect(spec.measurementRetention).toEqual([
      { metricName: "canary-shadow", limit: 5 },
      { metricName: "kept", limit: 5 },
    ]);
    expect(lines).toEqual([
      'warning: t.yaml: AnalysisTemplate/t spec.metrics[0].provider.datadog: metric "dd" cannot be translated: Sluice has no datadog provider; DROPPED (--drop-unsupported): the imported resource is less guarded than its source',
    ]);
    expect(() => parseResource(out)).not.toThrow();
  });

  it("keeps the kind of a ClusterAnalysisTemplate and its included templates", () => {
    const { out } = translate(
      { templates: [{ templateName: "base", clusterScope: true }], metrics: [] },
      "ClusterAnalysisTemplate",
    );
    expect(out.kind).toBe("ClusterAnalysisTemplate");
    expect((out.spec as Obj).templates).toEqual([{ templateName: "base", clusterScope: true }]);
  });

  it("warns about template args read from fields of the rollout", () => {
    const { lines } = translate({
      args: [{ name: "ns", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } }],
      metrics: [{ name: "m", provider: prom }],
    });
    expect(lines).toEqual([
      'warning: t.yaml: AnalysisTemplate/t spec.args[0].valueFrom.fieldRef: Sluice cannot read fields of the rollout into argument "ns"; dropped',
    ]);
  });
});
