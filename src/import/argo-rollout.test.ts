import { describe, expect, it } from "vitest";
import { parseResource } from "../model/load.js";
import { translateArgoRollout } from "./argo-rollout.js";
import type { ImportContext, Referenced } from "./context.js";
import { UntranslatableError } from "./errors.js";
import type { Obj } from "./fields.js";
import { PLACEHOLDER_IMAGE } from "./meta.js";
import { formatNote, Notes } from "./notes.js";

const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "web:1" }] } };

function translate(spec: Obj, deployment?: Referenced) {
  const notes = new Notes("r.yaml", "Rollout/web");
  const ctx: ImportContext = { notes, find: () => deployment };
  const [out] = translateArgoRollout(
    { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", metadata: { name: "web", namespace: "prod" }, spec },
    ctx,
  );
  return { out: out as Obj, lines: notes.notes.map(formatNote) };
}

describe("translateArgoRollout", () => {
  it("copies the rollout fields Sluice shares with Argo", () => {
    const spec = {
      replicas: 5,
      selector: { matchLabels: { app: "web" } },
      template,
      revisionHistoryLimit: 3,
      minReadySeconds: 10,
      progressDeadlineSeconds: 300,
      progressDeadlineAbort: true,
      rollbackWindow: { revisions: 2 },
      paused: true,
      strategy: {
        canary: {
          steps: [{ setWeight: 20 }, { pause: { duration: "1m" } }],
          maxSurge: 1,
          maxUnavailable: "10%",
          scaleDownDelaySeconds: 60,
          abortScaleDownDelaySeconds: 10,
          stableService: "web",
          canaryService: "web-canary",
        },
      },
    };
    const { out, lines } = translate(spec);
    expect(lines).toEqual([]);
    expect(out).toEqual({
      apiVersion: "sluice.dev/v1alpha1",
      kind: "Rollout",
      metadata: { name: "web", namespace: "prod" },
      spec,
    });
    expect(() => parseResource(out)).not.toThrow();
  });

  it("moves background analysis startingStep past dropped steps", () => {
    const { out } = translate({
      template,
      strategy: {
        canary: {
          analysis: { templates: [{ templateName: "bg" }], startingStep: 3 },
          steps: [{ setWeight: 10 }, { experiment: {} }, { setWeight: 20 }, { setWeight: 40 }],
        },
      },
    });
    const canary = (out.spec as { strategy: { canary: Obj } }).strategy.canary;
    expect(canary.analysis).toEqual({ templates: [{ templateName: "bg" }], startingStep: 2 });
    expect(canary.steps).toEqual([{ setWeight: 10 }, { setWeight: 20 }, { setWeight: 40 }]);
  });

  it("copies blue-green fields and warns about the rest", () => {
    const blueGreen = {
      activeService: "web",
      previewService: "web-preview",
      previewReplicaCount: 1,
      autoPromotionEnabled: false,
      autoPromotionSeconds: 30,
      scaleDownDelaySeconds: 60,
      abortScaleDownDelaySeconds: 5,
      prePromotionAnalysis: { templates: [{ templateName: "pre" }] },
      postPromotionAnalysis: { templates: [{ templateName: "post" }] },
    };
    const { out, lines } = translate({ template, strategy: { blueGreen: { ...blueGreen, previewMetadata: {} } } });
    expect((out.spec as Obj).strategy).toEqual({ blueGreen });
    expect(lines).toEqual([
      "warning: r.yaml: Rollout/web spec.strategy.blueGreen.previewMetadata: no Sluice equivalent; dropped",
    ]);
  });

  it("takes the template of a workloadRef Deployment from the input", () => {
    const deployment: Referenced = {
      value: { spec: { selector: { matchLabels: { app: "web" } }, template } },
      notes: new Notes("d.yaml", "Deployment/web"),
    };
    const { out, lines } = translate(
      {
        replicas: 2,
        workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
        strategy: { canary: {} },
      },
      deployment,
    );
    expect(lines).toEqual([]);
    expect(out.spec).toMatchObject({ replicas: 2, selector: { matchLabels: { app: "web" } }, template });
  });

  it("writes a placeholder template when the workloadRef Deployment is not in the input", () => {
    const { out, lines } = translate({
      workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
      strategy: { canary: {} },
    });
    expect((out.spec as Obj).template).toEqual({ spec: { containers: [{ name: "web", image: PLACEHOLDER_IMAGE }] } });
    expect(lines).toEqual([
      "warning: r.yaml: Rollout/web spec.workloadRef: Deployment web is not in the input; paste its pod template into spec.template (a placeholder was written)",
    ]);
    expect(() => parseResource(out)).not.toThrow();
  });

  it("cannot translate a rollout without a strategy", () => {
    expect(() => translate({ template })).toThrow(UntranslatableError);
    expect(() => translate({ template, strategy: {} })).toThrow("spec.strategy has neither canary nor blueGreen");
  });
});
