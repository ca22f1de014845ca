import { describe, expect, it } from "vitest";
import { parseResource } from "../model/load.js";
import type { ImportContext } from "./context.js";
import type { Obj } from "./fields.js";
import { AB_ROUTE, canaryWeights, translateFlaggerCanary } from "./flagger-canary.js";
import { notSuggestion } from "./judge-suggestions.js";
import { formatNote, Notes } from "./notes.js";

const deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "podinfo" },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: "podinfo" } },
    template: { metadata: { labels: { app: "podinfo" } }, spec: { containers: [{ name: "p", image: "podinfo:6" }] } },
  },
};

function translate(spec: Obj, dropUnsupported = false) {
  const notes = new Notes("c.yaml", "Canary/podinfo", undefined, dropUnsupported);
  const ctx: ImportContext = {
    notes,
    find: (kind) =>
      kind === "Deployment" ? { value: deployment, notes: new Notes("c.yaml", "Deployment/podinfo") } : undefined,
  };
  const out = translateFlaggerCanary(
    { apiVersion: "flagger.app/v1beta1", kind: "Canary", metadata: { name: "podinfo", namespace: "test" }, spec },
    ctx,
  );
  for (const r of out) parseResource(r);
  return { out, lines: notes.notes.filter(notSuggestion).map(formatNote) };
}

const targetRef = { apiVersion: "apps/v1", kind: "Deployment", name: "podinfo" };
const metrics = [{ name: "request-success-rate", thresholdRange: { min: 99 } }];
const specOf = (r: Obj | undefined) => (r?.spec ?? {}) as Obj;
const strategyOf = (r: Obj | undefined) => specOf(r).strategy as Obj;
const metricsOf = (r: Obj | undefined) => specOf(r).metrics as Obj[];

describe("canaryWeights", () => {
  it("counts up by stepWeight and caps the last step at maxWeight", () => {
    const n = new Notes("c.yaml", undefined);
    expect(canaryWeights({ stepWeight: 5, maxWeight: 20 }, "a", n)).toEqual([5, 10, 15, 20]);
    expect(canaryWeights({ stepWeight: 15, maxWeight: 50 }, "a", n)).toEqual([15, 30, 45, 50]);
    expect(canaryWeights({ stepWeight: 30 }, "a", n)).toEqual([30, 60, 90, 100]);
    expect(canaryWeights({ stepWeights: [1, 10, 80] }, "a", n)).toEqual([1, 10, 80]);
    expect(canaryWeights({}, "a", n)).toEqual([]);
  });
});

describe("translateFlaggerCanary", () => {
  it("builds setWeight + analysis steps and an analysis template from the Deployment and metrics", () => {
    const { out, lines } = translate({
      targetRef,
      progressDeadlineSeconds: 120,
      analysis: { interval: "30s", threshold: 3, stepWeight: 25, maxWeight: 50, metrics },
    });
    expect(lines).toEqual([]);
    const [rollout, template] = out;
    expect(rollout?.spec).toEqual({
      replicas: 3,
      selector: deployment.spec.selector,
      template: deployment.spec.template,
      progressDeadlineSeconds: 120,
      strategy: {
        canary: {
          steps: [
            { setWeight: 25 },
            { analysis: { templates: [{ templateName: "podinfo-analysis" }] } },
            { setWeight: 50 },
            { analysis: { templates: [{ templateName: "podinfo-analysis" }] } },
          ],
        },
      },
    });
    expect(template?.metadata).toEqual({ name: "podinfo-analysis", namespace: "test" });
    expect(metricsOf(template)[0]).toMatchObject({ count: 3, failureLimit: 2 });
  });

  it("waits one interval per step when no metric is left; a confirm-promotion webhook becomes a hook", () => {
    const { out, lines } = translate({
      targetRef,
      analysis: {
        interval: "1m",
        stepWeights: [10, 50],
        webhooks: [{ name: "gate", type: "confirm-promotion", url: "http://gate/" }],
      },
    });
    expect(out).toHaveLength(1);
    expect(strategyOf(out[0])).toEqual({
      canary: {
        steps: [{ setWeight: 10 }, { pause: { duration: "1m" } }, { setWeight: 50 }, { pause: { duration: "1m" } }],
      },
    });
    expect(specOf(out[0]).hooks).toEqual([
      { name: "gate", type: "confirm-promotion", webhook: { url: "http://gate/" } },
    ]);
    expect(lines).toEqual([]);
  });

  it("turns iterations with match into an A/B header route, with the nginx ingress as router", () => {
    const { out, lines } = translate({
      targetRef,
      provider: "nginx",
      ingressRef: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", name: "podinfo" },
      analysis: {
        interval: "1m",
        threshold: 2,
        iterations: 5,
        match: [
          { headers: { "x-canary": { exact: "insider" }, "x-other": { exact: "1" } } },
          { headers: { "user-agent": { suffix: ".Firefox" } }, sourceLabels: { app: "x" } },
        ],
        metrics,
      },
    });
    expect(strategyOf(out[0])).toEqual({
      canary: {
        steps: [
          { setCanaryScale: { weight: 100 } },
          {
            setHeaderRoute: {
              name: AB_ROUTE,
              match: [
                { headerName: "x-canary", headerValue: { exact: "insider" } },
                { headerName: "user-agent", headerValue: { regex: ".*\\.Firefox" } },
              ],
            },
          },
          { analysis: { templates: [{ templateName: "podinfo-analysis" }] } },
        ],
        trafficRouting: { nginx: { stableIngress: "podinfo" }, managedRoutes: [{ name: AB_ROUTE }] },
      },
    });
    expect(metricsOf(out[1])[0]).toMatchObject({ count: 5, failureLimit: 1 });
    expect(lines).toEqual([
      "warning: c.yaml: Canary/podinfo spec.analysis.match[0].headers.x-other: Sluice matches one header per match entry; dropped",
      "warning: c.yaml: Canary/podinfo spec.analysis.match[1].sourceLabels: no Sluice equivalent; dropped",
    ]);
  });

  it("turns iterations without match into blue-green with pre-promotion analysis", () => {
    const { out } = translate({ targetRef, analysis: { interval: "1m", iterations: 3, metrics } });
    expect(strategyOf(out[0])).toEqual({
      blueGreen: {
        autoPromotionEnabled: true,
        prePromotionAnalysis: { templates: [{ templateName: "podinfo-analysis" }] },
      },
    });
    const gated = translate(
      {
        targetRef,
        analysis: {
          interval: "1m",
          iterations: 3,
          webhooks: [{ name: "ok", type: "confirm-promotion", url: "http://flagger-loadtester/gate/check" }],
        },
      },
      true,
    );
    expect(strategyOf(gated.out[0])).toEqual({ blueGreen: { autoPromotionEnabled: false } });
    const timed = translate({ targetRef, analysis: { interval: "1m", iterations: 3 } });
    expect(strategyOf(timed.out[0])).toEqual({ blueGreen: { autoPromotionEnabled: true, autoPromotionSeconds: 180 } });
  });

  it("maps sessionAffinity to stickySession and suspend to paused", () => {
    const { out } = translate({
      targetRef,
      suspend: true,
      analysis: { stepWeight: 50, sessionAffinity: { cookieName: "flagger-cookie", maxAge: 21600 } },
    });
    expect(specOf(out[0]).paused).toBe(true);
    expect((strategyOf(out[0]).canary as Obj).stickySession).toEqual({
      cookieName: "flagger-cookie",
      maxAgeSeconds: 21600,
    });
  });

  it("warns about what Flagger generates or drives and Sluice does not", () => {
    const { lines } = translate({
      targetRef,
      provider: "istio",
      service: { port: 9898 },
      autoscalerRef: { name: "hpa" },
      skipAnalysis: true,
      analysis: {
        stepWeight: 50,
        alerts: [{ name: "slack" }],
        webhooks: [
          { name: "load", url: "http://flagger-loadtester.test/", metadata: { cmd: "hey -z 1m http://x" } },
          { name: "smoke", type: "pre-rollout", url: "http://tester/" },
        ],
      },
    });
    expect(lines).toEqual([
      "warning: c.yaml: Canary/podinfo spec.service: Sluice does not generate Services or routes; create them and set spec.strategy.canary.stableService, canaryService and trafficRouting; dropped",
      "warning: c.yaml: Canary/podinfo spec.provider: Sluice does not set up istio routing by itself; set spec.strategy.canary.trafficRouting by hand; dropped",
      "warning: c.yaml: Canary/podinfo spec.autoscalerRef: point the HorizontalPodAutoscaler's scaleTargetRef at the Sluice Rollout (apiVersion sluice.dev/v1alpha1, kind Rollout); dropped",
      "warning: c.yaml: Canary/podinfo spec.skipAnalysis: Sluice cannot skip analysis; the analysis steps were kept",
      'warning: c.yaml: Canary/podinfo spec.analysis.webhooks[0]: load-test webhook "load": Sluice sends this load itself (load on the analysis steps); requests go to the canary revision; the host of http://x is dropped; hey without -q sends as fast as it can; the rate is set to the bound, 1000 req/s',
      "warning: c.yaml: Canary/podinfo spec.analysis.webhooks[0]: no metrics, so no analysis steps to carry load; dropped",
      "warning: c.yaml: Canary/podinfo spec.analysis.alerts[0]: names no AlertProvider; dropped",
    ]);
  });
});
