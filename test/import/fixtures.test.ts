import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { importCommand } from "../../src/cli/commands/import.js";
import { analysisChecks, lintCommand } from "../../src/cli/lint.js";
import type { AnalysisTemplate, Rollout } from "../../src/model/index.js";
import { loadText } from "../../src/model/load.js";
import type { Resource } from "../../src/ports/control-plane.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
/** Inputs `sluice import` refuses without --drop-unsupported; kept apart so the whole-directory test stays green. */
const refused = (name: string) => fileURLToPath(new URL(`./refused/${name}`, import.meta.url));

/** Runs `sluice import` on one fixture and loads what it printed the way `sluice lint` would. */
async function run(name: string, opts: { dropUnsupported?: boolean; file?: string } = {}) {
  const file = opts.file ?? fixture(name);
  const logs: string[] = [];
  const errors: string[] = [];
  const out = { log: (t: string) => logs.push(t), error: (t: string) => errors.push(t), isTTY: false };
  const code = await importCommand([file], out, { dropUnsupported: opts.dropUnsupported === true });
  const stdout = logs.join("\n");
  const loaded = loadText(stdout, "stdout", { extraChecks: analysisChecks });
  const byName = (kind: Resource["kind"], n: string) =>
    loaded.resources.find((r) => r.kind === kind && r.metadata.name === n);
  // Suggestions (the judge where it fits) are hints, not warnings; they are checked on their own.
  const isSuggestion = (l: string) => l.startsWith("info:") && l.includes(": suggestion: ");
  const warnings = errors.filter((l) => !isSuggestion(l));
  return { file, code, stdout, warnings, suggestions: errors.filter(isSuggestion), loaded, byName };
}

const rollout = (r: Resource | undefined) => r as Rollout;
const template = (r: Resource | undefined) => r as AnalysisTemplate;

describe("sluice import: Argo Rollouts canary with NGINX and analysis templates", () => {
  it("translates steps, background analysis, traffic routing and conditions", async () => {
    const { file, code, loaded, byName, warnings } = await run("argo-canary.yaml");
    expect(code).toBe(0);
    expect(loaded.errors).toEqual([]);
    expect(loaded.resources.map((r) => `${r.kind}/${r.metadata.name}`)).toEqual([
      "Rollout/backend",
      "AnalysisTemplate/backend-success-rate",
      "AnalysisTemplate/backend-latency",
      "AnalysisTemplate/backend-uptime",
    ]);
    const spec = rollout(byName("Rollout", "backend")).spec;
    expect(spec.replicas).toBe(4);
    expect(spec.template.spec?.containers[0]?.image).toBe("registry.local/backend:1.4.2");
    const canary = spec.strategy.canary;
    const hash = { name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" } };
    expect(canary?.steps).toEqual([
      { setWeight: 10 },
      { pause: { duration: "5m" } },
      {
        analysis: {
          templates: [{ templateName: "backend-success-rate", clusterScope: false }],
          args: [{ name: "service", value: "backend" }, hash],
        },
      },
      { setWeight: 25 },
      { pause: { duration: "10m" } },
      {
        analysis: {
          templates: [
            { templateName: "backend-success-rate", clusterScope: false },
            { templateName: "backend-latency", clusterScope: false },
          ],
          args: [{ name: "service", value: "backend" }, hash],
        },
      },
      { setWeight: 50 },
      { pause: { duration: "15m" } },
    ]);
    // Argo's startingStep 6 pointed past the dropped experiment step.
    expect(canary?.analysis?.startingStep).toBe(5);
    expect(canary?.trafficRouting).toEqual({
      nginx: {
        stableIngress: "backend-ingress",
        annotationPrefix: "nginx.ingress.kubernetes.io",
        additionalIngressAnnotations: { "canary-by-header": "X-Canary", "canary-by-header-value": "true" },
      },
    });
    expect([canary?.stableService, canary?.canaryService, canary?.maxSurge]).toEqual([
      "backend",
      "backend-canary",
      "25%",
    ]);

    const sr = template(byName("AnalysisTemplate", "backend-success-rate"));
    expect(sr.spec.metrics[0]).toMatchObject({
      interval: "1m",
      count: 3,
      failureLimit: 2,
      successCondition: "size(result) > 0 && result[0] >= 97",
    });
    expect(sr.metadata.annotations?.["sluice.dev/original-condition"]).toBe(
      JSON.stringify({ "success-rate.successCondition": "len(result) > 0 and result[0] >= 97" }),
    );
    const latency = template(byName("AnalysisTemplate", "backend-latency"));
    expect(latency.spec.metrics[0]?.successCondition).toBe("!isNaN(result[0]) && result[0] <= 300");
    const uptime = template(byName("AnalysisTemplate", "backend-uptime"));
    expect(uptime.spec.metrics[0]?.successCondition).toBe("result[0] >= 99");
    expect(uptime.metadata.annotations).toBeUndefined();

    expect(warnings).toEqual([
      `warning: ${file}: Rollout/backend spec.strategy.canary.canaryMetadata: no Sluice equivalent; dropped`,
      `warning: ${file}: Rollout/backend spec.strategy.canary.steps[5].experiment: Argo Experiments are not supported yet; dropped`,
      `warning: ${file}: Rollout/backend spec.strategy.canary.steps[6].analysis.args[2].valueFrom.fieldRef: Sluice cannot read fields of the rollout into argument "namespace"; set a value by hand; dropped`,
    ]);
  });
});

describe("sluice import: Argo Rollouts blue-green with a workloadRef", () => {
  it("inlines the Deployment's pod template and copies blue-green fields", async () => {
    const { file, code, loaded, warnings } = await run("argo-bluegreen.yaml");
    expect(code).toBe(0);
    expect(loaded.errors).toEqual([]);
    expect(loaded.resources.map((r) => `${r.kind}/${r.metadata.name}`)).toEqual(["Rollout/demo-app-go"]);
    const spec = rollout(loaded.resources[0]).spec;
    expect(spec.replicas).toBe(3);
    expect(spec.selector).toEqual({ matchLabels: { app: "demo-app-go" } });
    expect(spec.template.spec?.containers[0]?.image).toBe("localhost:5001/demo-app-go:v1.0.0");
    expect(spec.strategy.blueGreen).toEqual({
      activeService: "demo-app-go",
      previewService: "demo-app-go-preview",
      previewReplicaCount: 1,
      autoPromotionEnabled: false,
      scaleDownDelaySeconds: 30,
      abortScaleDownDelaySeconds: 30,
      prePromotionAnalysis: {
        templates: [{ templateName: "success-rate", clusterScope: false }],
        args: [{ name: "service-name", value: "demo-app-go-preview" }],
      },
      postPromotionAnalysis: {
        templates: [{ templateName: "success-rate", clusterScope: true }],
        args: [{ name: "service-name", value: "demo-app-go" }],
      },
    });
    expect(warnings).toEqual([
      `warning: ${file}: Rollout/demo-app-go spec.analysis: no Sluice equivalent; dropped`,
      `warning: ${file}: Rollout/demo-app-go spec.strategy.blueGreen.antiAffinity: no Sluice equivalent; dropped`,
    ]);
  });
});

describe("sluice import: Argo analysis templates", () => {
  it("translates prometheus, web and job metrics and drops the providers Sluice lacks", async () => {
    const { file, code, loaded, byName, warnings } = await run("argo-analysis-templates.yaml");
    expect(code).toBe(0);
    expect(loaded.errors).toEqual([]);

    const errorRate = template(byName("AnalysisTemplate", "error-rate-only"));
    expect(errorRate.spec.metrics[0]).toMatchObject({
      interval: "20s",
      count: 5,
      failureLimit: 3,
      successCondition: "result[0] < 5",
      failureCondition: "result[0] >= 10",
      provider: { prometheus: { address: "https://prometheus.monitoring.svc:9090", timeout: 30, insecure: true } },
    });
    expect(errorRate.spec.args[1]).toEqual({
      name: "api-token",
      valueFrom: { secretKeyRef: { name: "prometheus-token", key: "token" } },
    });
    const smoke = template(byName("AnalysisTemplate", "smoke-test"));
    expect(smoke.spec.metrics[0]?.provider.web).toMatchObject({
      url: "{{args.preview-url}}/api/health",
      method: "POST",
      jsonBody: { checks: ["db", "cache"] },
      jsonPath: "{$.ok}",
      timeoutSeconds: 5,
    });
    const tests = template(byName("AnalysisTemplate", "integration-tests"));
    // Both Jobs stay Jobs (run in the rollout's namespace), the two-container one included.
    expect(tests.spec.metrics.map((m) => m.name)).toEqual(["run-tests", "load-test"]);
    expect(tests.spec.metrics[0]?.provider.command).toBeUndefined();
    expect(tests.spec.metrics[0]?.provider.job?.spec).toMatchObject({
      backoffLimit: 1,
      template: {
        spec: {
          restartPolicy: "Never",
          containers: [
            {
              name: "tests",
              image: "registry.local/integration-tests:2.1",
              command: ["./run-tests.sh"],
              args: ["--suite", "smoke"],
              env: [{ name: "TARGET", value: "http://demo-app-go-preview" }],
            },
          ],
        },
      },
    });
    expect(tests.spec.metrics[1]?.provider.job?.spec.template.spec.containers.map((c) => c.image)).toEqual([
      "grafana/k6",
      "busybox",
    ]);
    expect(loaded.resources.map((r) => r.metadata.name)).toEqual([
      "error-rate-only",
      "smoke-test",
      "integration-tests",
      "business-kpis",
      "success-rate",
    ]);
    const cluster = byName("ClusterAnalysisTemplate", "success-rate") as AnalysisTemplate | undefined;
    expect(cluster?.spec.metrics[0]?.successCondition).toBe("!isNaN(result[0]) && result[0] >= 0.99");

    expect(warnings).toEqual([
      `warning: ${file}: AnalysisTemplate/error-rate-only spec.metrics[0].provider.prometheus.authentication.sigv4: Sluice's prometheus provider supports bearerToken and basic authentication; dropped`,
      `warning: ${file}: AnalysisRun/demo-app-go-7d9f8-2: records a past analysis, and Sluice creates its own; skipped`,
    ]);
  });

  it("writes business-kpis with the dry-run pattern expanded and all() as a CEL macro", async () => {
    const { stdout } = await run("argo-analysis-templates.yaml");
    const plain = loadText(stdout, "stdout");
    expect(plain.errors).toEqual([]);
    const kpis = plain.resources.find((r) => r.metadata.name === "business-kpis") as AnalysisTemplate;
    expect(kpis.spec.metrics.map((m) => [m.name, m.successCondition])).toEqual([
      ["conversion", "result.all(x, x >= 0.9)"],
      ["conversion-shadow", "isNaN(result[0]) || result[0] >= 0.5"],
    ]);
    expect(kpis.spec.dryRun).toEqual([{ metricName: "conversion-shadow" }]);
    expect(kpis.spec.measurementRetention).toEqual([{ metricName: "conversion", limit: 20 }]);
  });
});

describe("sluice import: an Argo analysis template whose output would not pass lint", () => {
  const file = refused("argo-kpis.yaml");

  it("is refused for its Datadog metric, which Sluice cannot query yet", async () => {
    const { code, stdout, warnings } = await run("", { file });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(warnings.filter((w) => w.startsWith("error:"))).toEqual([
      `error: ${file}:3: AnalysisTemplate/shop-kpis spec.metrics[0].provider.datadog: metric "checkout-errors" cannot be translated: Sluice has no datadog provider; not imported, as it would be less guarded than its source (pass --drop-unsupported to import it without this)`,
    ]);
  });

  it("with --drop-unsupported is still not printed: the error shows the condition lint rejects", async () => {
    const { code, stdout, warnings } = await run("", { file, dropUnsupported: true });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(warnings.at(-1)).toBe(
      `error: ${file}:3: AnalysisTemplate/shop-kpis: the translated AnalysisTemplate shop-kpis is not valid: spec.metrics[0].successCondition: metric "basket-size": found no matching overload for 'isInf(dyn)'\n  isInf(result[0]) || result[0] >= 2.5\n  ^`,
    );
  });
});

describe("sluice import: Flagger canary with its Deployment and a MetricTemplate", () => {
  it("imports its pre-rollout check and confirm-promotion gate as hooks, dropping no webhook", async () => {
    const file = refused("flagger-canary.yaml");
    const { code, loaded, byName, warnings } = await run("", { file });
    expect(code).toBe(0);
    expect(loaded.errors).toEqual([]);
    expect(warnings.filter((w) => w.startsWith("error:"))).toEqual([]);
    expect(rollout(byName("Rollout", "podinfo")).spec.hooks).toEqual([
      {
        name: "security-validation",
        type: "pre-rollout",
        webhook: { url: "http://security-validator.shared-services.svc.cluster.local:8080/validate", headers: [] },
        timeoutSeconds: 30,
        retries: 0,
        retryBackoffSeconds: 1,
        intervalSeconds: 10,
        failureLimit: 9,
      },
      {
        name: "approval",
        type: "confirm-promotion",
        webhook: { url: "http://approval-service.shared-services.svc.cluster.local:8080/approve", headers: [] },
        timeoutSeconds: 10,
        retries: 0,
        retryBackoffSeconds: 1,
        intervalSeconds: 10,
        failureLimit: 0,
      },
    ]);
  });

  it("with --drop-unsupported derives weight steps and thresholds as conditions", async () => {
    const file = refused("flagger-canary.yaml");
    const { code, loaded, byName, warnings } = await run("", { file, dropUnsupported: true });
    expect(code).toBe(0);
    expect(loaded.errors).toEqual([]);
    expect(loaded.resources.map((r) => `${r.kind}/${r.metadata.name}`)).toEqual([
      "Rollout/podinfo",
      "AnalysisTemplate/podinfo-analysis",
    ]);
    const spec = rollout(byName("Rollout", "podinfo")).spec;
    expect([spec.replicas, spec.minReadySeconds, spec.revisionHistoryLimit, spec.progressDeadlineSeconds]).toEqual([
      2, 5, 5, 600,
    ]);
    expect(spec.template.spec?.containers[0]?.image).toBe("stefanprodan/podinfo:6.0.0");
    const analysis = { analysis: { templates: [{ templateName: "podinfo-analysis", clusterScope: false }], args: [] } };
    expect(spec.strategy.canary?.steps).toEqual([
      { setWeight: 5 },
      analysis,
      { setWeight: 10 },
      analysis,
      { setWeight: 15 },
      analysis,
      { setWeight: 20 },
      analysis,
    ]);
    const t = template(byName("AnalysisTemplate", "podinfo-analysis"));
    expect(t.spec.metrics.map((m) => [m.name, m.successCondition, m.failureLimit, m.count])).toEqual([
      ["request-success-rate", "result.canary.successRate >= 0.995", 9, 10],
      ["request-duration", "result.canary.p99 <= 500", 9, 10],
      ["conversion-rate", "result[0] >= 95", 9, 10],
    ]);
    expect(t.spec.metrics[2]?.provider.prometheus?.query).toContain(
      'deployment=~"{{args.target}}.*"}[{{args.interval}}]',
    );
    expect(t.spec.args).toEqual([
      { name: "namespace", value: "tenant-a" },
      { name: "target", value: "podinfo" },
      { name: "interval", value: "1m" },
    ]);
    const at = `warning: ${file}: Canary/podinfo`;
    expect(warnings).toEqual([
      `${at} spec.service: Sluice does not generate Services or routes; create them and set spec.strategy.canary.stableService, canaryService and trafficRouting; dropped`,
      `${at} spec.provider: Sluice does not set up istio routing by itself; set spec.strategy.canary.trafficRouting by hand; dropped`,
      `${at} spec.autoscalerRef: point the HorizontalPodAutoscaler's scaleTargetRef at the Sluice Rollout (apiVersion sluice.dev/v1alpha1, kind Rollout); dropped`,
      `${at} spec.analysis.webhooks[1]: load-test webhook "load-test": Sluice generates load only in place of hey; run your load generator yourself; dropped`,
    ]);
  });
});

describe("sluice import: Flagger metrics with the deprecated threshold", () => {
  it("keeps every check: a minimum rate, a maximum duration, a template's minimum", async () => {
    const { code, loaded, byName, warnings, suggestions } = await run("flagger-threshold.yaml");
    expect(warnings).toEqual([]);
    // Each builtin check is kept as written, with the judged metric to add beside it.
    expect(suggestions.map((l) => /metric "([^"]+)" kept as a threshold/.exec(l)?.[1])).toEqual([
      "request-success-rate",
      "request-duration",
    ]);
    expect(code).toBe(0);
    expect(loaded.errors).toEqual([]);
    const spec = rollout(byName("Rollout", "checkout")).spec;
    expect(spec.strategy.canary?.steps.filter((s) => "analysis" in s)).toHaveLength(2);
    const t = template(byName("AnalysisTemplate", "checkout-analysis"));
    expect(t.spec.metrics.map((m) => [m.name, m.successCondition, m.failureLimit])).toEqual([
      ["request-success-rate", "result.canary.successRate >= 0.98", 2],
      ["request-duration", "result.canary.p99 <= 400", 2],
      ["orders-per-second", "result[0] >= 2", 2],
    ]);
    expect(t.spec.metrics[2]?.provider.prometheus?.query).toBe(
      'sum(rate(checkout_orders_total{namespace="{{args.namespace}}",pod=~"{{args.target}}-.*"}[{{args.interval}}]))',
    );
  });
});

describe("sluice import: a Flagger metric from a provider Sluice lacks (Datadog)", () => {
  it("refuses the Canary: no Rollout without the check, exit 1, the error names the metric and the flag", async () => {
    const file = refused("flagger-datadog.yaml");
    const { code, stdout, warnings } = await run("", { file });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(warnings).toEqual([
      `error: ${file}:22: Canary/payments spec.analysis.metrics[1].templateRef: metric "p95-latency": MetricTemplate datadog-latency cannot be translated: Sluice has no datadog provider yet; not imported, as it would be less guarded than its source (pass --drop-unsupported to import it without this)`,
    ]);
  });

  it("with --drop-unsupported imports it without that check and says so loudly, exit 0", async () => {
    const file = refused("flagger-datadog.yaml");
    const { code, loaded, byName, warnings } = await run("", { file, dropUnsupported: true });
    expect(code).toBe(0);
    expect(loaded.errors).toEqual([]);
    expect(rollout(byName("Rollout", "payments")).spec.strategy.canary?.steps).toEqual([
      { setWeight: 20 },
      { analysis: { templates: [{ templateName: "payments-analysis", clusterScope: false }], args: [] } },
      { setWeight: 40 },
      { analysis: { templates: [{ templateName: "payments-analysis", clusterScope: false }], args: [] } },
    ]);
    expect(template(byName("AnalysisTemplate", "payments-analysis")).spec.metrics.map((m) => m.name)).toEqual([
      "request-success-rate",
    ]);
    expect(warnings).toContain(
      `warning: ${file}: Canary/payments spec.analysis.metrics[1].templateRef: metric "p95-latency": MetricTemplate datadog-latency cannot be translated: Sluice has no datadog provider yet; DROPPED (--drop-unsupported): the imported resource is less guarded than its source`,
    );
  });
});

describe("sluice import: Flagger webhooks on the load tester are classified by type", () => {
  const file = refused("flagger-loadtester-gates.yaml");

  it("maps the gate to a durable manual gate and the checks to hooks; hey becomes load", async () => {
    const { code, loaded, byName, warnings } = await run("", { file });
    expect(code).toBe(0);
    expect(loaded.errors).toEqual([]);
    const spec = rollout(byName("Rollout", "search")).spec;
    expect(spec.hooks?.map((h) => [h.name, h.type, h.manual ? "manual" : h.webhook?.url, h.failureLimit])).toEqual([
      ["start-gate", "confirm-rollout", "manual", 0],
      ["acceptance-test", "pre-rollout", "http://flagger-loadtester.test/", 4],
      ["announce", "post-rollout", "http://flagger-loadtester.test/", 0],
    ]);
    expect(spec.hooks?.[1]).toMatchObject({
      timeoutSeconds: 180,
      metadata: { type: "helmv3", cmd: "test search -n catalog" },
    });
    expect(warnings.filter((w) => w.startsWith("error:"))).toEqual([]);
    expect(warnings).toContain(
      `warning: ${file}: Canary/search spec.analysis.webhooks[0]: confirm-rollout webhook "start-gate" uses the load tester's /gate/check: now a manual gate that survives restarts; open it with \`sluice gate open\``,
    );
  });
});

describe("sluice import: Flagger A/B test", () => {
  it("turns iterations and match into a header route and writes a placeholder pod template", async () => {
    const { file, code, loaded, byName, warnings } = await run("flagger-ab.yaml");
    expect(code).toBe(0);
    expect(loaded.errors).toEqual([]);
    const spec = rollout(byName("Rollout", "frontend")).spec;
    expect(spec.template.spec?.containers).toEqual([{ name: "frontend", image: "REPLACE-ME" }]);
    const canary = spec.strategy.canary;
    expect(canary?.steps.slice(0, 2)).toEqual([
      { setCanaryScale: { weight: 100 } },
      {
        setHeaderRoute: {
          name: "ab-test",
          match: [
            { headerName: "x-canary", headerValue: { exact: "insider" } },
            { headerName: "cookie", headerValue: { regex: "^(.*?;)?(canary=always)(;.*)?$" } },
          ],
        },
      },
    ]);
    // The load tester's `hey -z 1m -q 10 -c 2 -H 'X-Canary: insider' …` is the analysis step's load.
    expect(canary?.steps[2]).toMatchObject({
      analysis: { load: { rate: 20, duration: "1m", concurrency: 2, headers: { "X-Canary": "insider" } } },
    });
    expect(canary?.trafficRouting).toEqual({
      nginx: { stableIngress: "frontend" },
      managedRoutes: [{ name: "ab-test" }],
    });
    const t = template(byName("AnalysisTemplate", "frontend-analysis"));
    expect(t.spec.metrics.map((m) => [m.successCondition, m.interval, m.count, m.failureLimit])).toEqual([
      ["result.canary.successRate >= 0.95", "30s", 10, 4],
      ["result.canary.p99 <= 1000", "30s", 10, 4],
    ]);
    expect(warnings).toEqual([
      `warning: ${file}: Canary/frontend spec.targetRef: Deployment frontend is not in the input; paste its pod template into spec.template (a placeholder was written)`,
      `warning: ${file}: Canary/frontend spec.service: Sluice does not generate Services or routes; create them and set spec.strategy.canary.stableService, canaryService and trafficRouting; dropped`,
      `warning: ${file}: Canary/frontend spec.analysis.webhooks[0]: load-test webhook "load-test": Sluice sends this load itself (load on the analysis steps); requests go to the canary revision; the host of http://frontend-canary.tenant-b is dropped`,
      `warning: ${file}: MetricTemplate/error-rate: not used by a Canary in the input (a Canary's metrics carry its query); skipped`,
    ]);
  });
});

describe("sluice import: a whole directory", () => {
  it("translates every fixture together and exits 0", async () => {
    const logs: string[] = [];
    const code = await importCommand([fixture("")], { log: (t) => logs.push(t), error: () => {}, isTTY: false });
    expect(code).toBe(0);
    const loaded = loadText(logs.join("\n"), "stdout");
    expect(loaded.errors).toEqual([]);
    expect(loaded.resources).toHaveLength(4 + 1 + 5 + 2 + 2);
  });
});

describe("sluice import: a directory with Services, an Ingress and a VirtualService beside the Rollout", () => {
  it("passes over what is not Argo or Flagger with an info line each and exits 0", async () => {
    const dir = fileURLToPath(new URL("./mixed/", import.meta.url));
    const logs: string[] = [];
    const errors: string[] = [];
    const code = await importCommand([dir], { log: (t) => logs.push(t), error: (t) => errors.push(t), isTTY: false });
    expect(code).toBe(0);
    const loaded = loadText(logs.join("\n"), "stdout", { extraChecks: analysisChecks });
    expect(loaded.errors).toEqual([]);
    expect(loaded.resources.map((r) => `${r.kind}/${r.metadata.name}`)).toEqual(["Rollout/guestbook"]);
    const app = `${dir}app.yaml`;
    expect(errors).toEqual([
      `info: ${app}: Service/guestbook: v1 Service is not an Argo Rollouts or Flagger resource; passed over`,
      `info: ${app}: Service/guestbook-canary: v1 Service is not an Argo Rollouts or Flagger resource; passed over`,
      `info: ${app}: Ingress/guestbook: networking.k8s.io/v1 Ingress is not an Argo Rollouts or Flagger resource; passed over`,
      `info: ${dir}mesh.yaml: VirtualService/guestbook: networking.istio.io/v1beta1 VirtualService is not an Argo Rollouts or Flagger resource; passed over`,
    ]);
  });
});

describe("sluice import: whatever it prints passes sluice lint", () => {
  const dirs = ["fixtures", "refused", "mixed"].map((d) => fileURLToPath(new URL(`./${d}/`, import.meta.url)));
  const files = dirs.flatMap((d) => readdirSync(d).map((f) => `${d}${f}`));

  it.each(files.flatMap((f) => [[f, false] as const, [f, true] as const]))(
    "%s (--drop-unsupported: %s)",
    async (file, dropUnsupported) => {
      const { stdout, code: importCode } = await run("", { file, dropUnsupported });
      // Printing nothing is only right for a refused input.
      if (stdout === "") return void expect(importCode).toBe(1);
      const lintErrors: string[] = [];
      const code = await lintCommand(
        ["-"],
        { log: () => {}, error: (t) => lintErrors.push(t) },
        { readStdin: async () => stdout },
      );
      // Warnings are allowed: an image import cannot know stays REPLACE-ME, and lint says so.
      const warnings = lintErrors.filter((e) => e.startsWith("warning:"));
      expect(warnings.every((w) => w.includes("REPLACE-ME"))).toBe(true);
      expect(lintErrors.filter((e) => !e.endsWith("OK") && !e.startsWith("warning:"))).toEqual([]);
      expect(code).toBe(0);
    },
  );

  it("covers every fixture directory", () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });
});
