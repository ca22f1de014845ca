import { describe, expect, it } from "vitest";
import { loadText } from "../model/load.js";
import { parseManifests } from "./documents.js";
import { formatNote } from "./notes.js";
import { importText, renderResources, translateManifests } from "./translate.js";

const rollout = (name: string, extra = "") => `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: ${name}
spec:
  template:
    spec:
      containers: [{name: app, image: "app:1"}]
  strategy:
    canary:
      steps: [{setWeight: 50}]${extra}
`;

describe("importText", () => {
  it("translates, and renders YAML that loads without errors", () => {
    const r = importText(rollout("web"), "r.yaml");
    expect(r.notes).toEqual([]);
    const text = renderResources(r.resources);
    expect(text.startsWith("apiVersion: sluice.dev/v1alpha1\nkind: Rollout\n")).toBe(true);
    const loaded = loadText(text, "out.yaml");
    expect(loaded.errors).toEqual([]);
    expect(loaded.resources.map((x) => x.metadata.name)).toEqual(["web"]);
  });

  it("passes over kinds that are not Argo or Flagger resources with an info line; exit-worthy errors are real failures", () => {
    const text = `${rollout("web")}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\nnot: a resource\n`;
    const r = importText(text, "all.yaml");
    expect(r.resources).toHaveLength(1);
    expect(r.notes.map(formatNote)).toEqual([
      "info: all.yaml: Service/web: v1 Service is not an Argo Rollouts or Flagger resource; passed over",
      "error: all.yaml:18: not a Kubernetes resource (no apiVersion or kind); skipped",
    ]);
  });

  it("says Argo Experiments are not supported yet, as an error", () => {
    const text = "apiVersion: argoproj.io/v1alpha1\nkind: Experiment\nmetadata:\n  name: compare\nspec: {}\n";
    const r = importText(text, "exp.yaml");
    expect(r.resources).toEqual([]);
    expect(r.notes.map(formatNote)).toEqual([
      "error: exp.yaml:1: Experiment/compare: Argo Experiments are not supported yet; run the experiment's versions as separate Rollouts",
    ]);
  });

  it("reports YAML syntax errors with their line", () => {
    const r = importText(`${rollout("web")}---\nkind: [\n`, "bad.yaml");
    expect(r.resources).toHaveLength(1);
    expect(r.notes.map((n) => [n.severity, n.line])).toEqual([["error", 14]]);
    expect(r.notes[0]?.message).toMatch(/^YAML syntax: /);
  });

  it("reports a document that cannot be translated at all", () => {
    const text = rollout("web").replace(/ {2}strategy:[\s\S]*$/, "  replicas: 2\n");
    const r = importText(text, "r.yaml");
    expect(r.resources).toEqual([]);
    expect(r.notes.map(formatNote)).toEqual([
      "error: r.yaml:1: Rollout/web spec.strategy: spec.strategy is missing; cannot translate",
    ]);
  });

  it("reports a translation Sluice's schema rejects instead of printing it", () => {
    const r = importText(rollout("web").replace("setWeight: 50", "setWeight: 150"), "r.yaml");
    expect(r.resources).toEqual([]);
    expect(r.notes.map(formatNote)).toEqual([
      "error: r.yaml:1: Rollout/web: the translated Rollout web is not valid: spec.strategy.canary.steps[0].setWeight: must be between 0 and 100, got 150",
    ]);
  });

  it("finds a Canary's Deployment and MetricTemplate wherever they are in the input", () => {
    const canary = `apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: api, namespace: shop}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  analysis:
    stepWeight: 50
    metrics:
      - name: errors
        templateRef: {name: errors}
        thresholdRange: {max: 1}
`;
    const template = `apiVersion: flagger.app/v1beta1
kind: MetricTemplate
metadata: {name: errors, namespace: shop}
spec:
  provider: {type: prometheus, address: "http://prom:9090"}
  query: sum(rate(errors{app="{{ target }}"}[1m]))
`;
    const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: api, image: "api:3"}]
`;
    const other = deployment.replaceAll("name: api,", "name: unused,");
    const r = importText([canary, template, deployment, other].join("---\n"), "shop.yaml");
    expect(r.resources.map((x) => `${x.kind}/${(x.metadata as { name: string }).name}`)).toEqual([
      "Rollout/api",
      "AnalysisTemplate/api-analysis",
    ]);
    expect(r.resources[0]).toMatchObject({ spec: { template: { spec: { containers: [{ image: "api:3" }] } } } });
    expect(r.notes.map(formatNote)).toEqual([
      "warning: shop.yaml: Deployment/unused: not the target of a Canary or the workloadRef of a Rollout in the input; skipped",
    ]);
  });

  it("turns a Canary's alerts into notifications from the AlertProvider in the input, and warns about an unused one", () => {
    const canary = `apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: web}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  analysis:
    stepWeight: 50
    alerts: [{name: team, severity: error, providerRef: {name: slack}}]
`;
    const provider = (name: string) => `apiVersion: flagger.app/v1beta1
kind: AlertProvider
metadata: {name: ${name}}
spec: {type: slack, secretRef: {name: slack-url}}
`;
    const r = importText([provider("slack"), canary, provider("unused")].join("---\n"), "a.yaml");
    const spec = r.resources[0]?.spec as { notifications?: unknown };
    expect(spec.notifications).toEqual([
      {
        name: "team",
        on: ["RolloutAborted", "ProgressDeadlineExceeded"],
        webhook: { format: "slack", urlFrom: { secretKeyRef: { name: "slack-url", key: "address" } } },
      },
    ]);
    const lines = r.notes.map(formatNote);
    expect(lines.filter((l) => l.includes("AlertProvider/"))).toEqual([
      "warning: a.yaml: AlertProvider/unused: not the provider of a Canary's alerts in the input; skipped",
    ]);
  });

  it("copies Sluice resources as they are and skips Argo AnalysisRuns with a warning", () => {
    const metric = { name: "m", successCondition: "result[0] < 1", provider: { command: { command: ["true"] } } };
    const sluice = `apiVersion: sluice.dev/v1alpha1\nkind: AnalysisTemplate\nmetadata: {name: t}\nspec:\n  metrics: [${JSON.stringify(metric)}]\n`;
    const run = "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisRun\nmetadata: {name: r}\nspec: {}\n";
    const r = importText(`${sluice}---\n${run}`, "x.yaml");
    expect(r.resources).toEqual([
      {
        apiVersion: "sluice.dev/v1alpha1",
        kind: "AnalysisTemplate",
        metadata: { name: "t" },
        spec: { metrics: [metric] },
      },
    ]);
    expect(r.notes.map(formatNote)).toEqual([
      "warning: x.yaml: AnalysisRun/r: records a past analysis, and Sluice creates its own; skipped",
    ]);
  });

  it("reads kubectl's kind: List output", () => {
    const list = JSON.stringify({
      apiVersion: "v1",
      kind: "List",
      items: [
        {
          apiVersion: "argoproj.io/v1alpha1",
          kind: "Rollout",
          metadata: { name: "a", uid: "u-1", resourceVersion: "7" },
          spec: {
            template: { spec: { containers: [{ name: "a", image: "a:1" }] } },
            strategy: { blueGreen: { activeService: "a" } },
          },
          status: { phase: "Healthy" },
        },
      ],
    });
    const r = importText(list, "list.json");
    expect(r.notes).toEqual([]);
    expect(r.resources[0]).toMatchObject({
      metadata: { name: "a" },
      spec: { strategy: { blueGreen: { activeService: "a" } } },
    });
    expect(r.resources[0]).not.toHaveProperty("status");
  });

  it("refuses an analysis template whose every metric was dropped: lint would reject metrics: []", () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: errors
spec:
  metrics:
    - name: error-count
      successCondition: result < 5
      provider:
        newRelic:
          query: SELECT count(*) FROM TransactionError
`;
    const r = importText(text, "at.yaml", { dropUnsupported: true });
    expect(r.resources).toEqual([]);
    expect(r.notes.filter((n) => n.severity === "error").map(formatNote)).toEqual([
      "error: at.yaml:1: AnalysisTemplate/errors: the translated AnalysisTemplate errors is not valid: spec.metrics: the template defines no metrics",
    ]);
  });

  it("leaves out a Canary's Rollout when its analysis template fails a check, rather than print it unguarded", () => {
    const canary = `apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: web}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  analysis:
    stepWeight: 50
    metrics: [{name: request-success-rate, thresholdRange: {min: 99}}]
`;
    const docs = parseManifests(canary, "c.yaml").documents;
    const ok = translateManifests(docs);
    expect(ok.resources.map((x) => x.kind)).toEqual(["Rollout", "AnalysisTemplate"]);
    const rejecting = translateManifests(docs, {
      checks: (res) => (res.kind === "AnalysisTemplate" ? [{ path: "spec.metrics", message: "rejected here" }] : []),
    });
    expect(rejecting.resources).toEqual([]);
    expect(rejecting.notes.filter((n) => n.severity === "error").map(formatNote)).toEqual([
      "error: c.yaml:1: Canary/web: the translated AnalysisTemplate web-analysis is not valid: spec.metrics: rejected here",
    ]);
  });
});
