import { describe, expect, it } from "vitest";
import {
  type AnalysisTemplate,
  type AnalysisTemplateSpec,
  API_VERSION,
  type ClusterAnalysisTemplate,
  type Metric,
} from "../model/index.js";
import { AnalysisConfigError } from "./errors.js";
import {
  type ArgSources,
  buildAnalysisRun,
  referencedSecrets,
  type StartAnalysisRun,
  type TemplateLookup,
} from "./run-builder.js";

function metric(name: string, provider: Metric["provider"]): Metric {
  return {
    name,
    provider,
    successCondition: "result >= 0.99",
    failureLimit: 0,
    inconclusiveLimit: 0,
    consecutiveErrorLimit: 4,
    consecutiveSuccessLimit: 0,
  };
}

function prom(name: string, query: string): Metric {
  return metric(name, {
    prometheus: { address: "http://127.0.0.1:{{args.prom-port}}", query, timeout: "10s", headers: [], insecure: false },
  });
}

function template(name: string, spec: Partial<AnalysisTemplateSpec>): AnalysisTemplate {
  return {
    apiVersion: API_VERSION,
    kind: "AnalysisTemplate",
    metadata: { name },
    spec: { args: [], metrics: [], templates: [], dryRun: [], measurementRetention: [], ...spec },
  };
}

function lookup(templates: AnalysisTemplate[], cluster: ClusterAnalysisTemplate[] = []): TemplateLookup {
  return {
    template: (n) => templates.find((t) => t.metadata.name === n),
    clusterTemplate: (n) => cluster.find((t) => t.metadata.name === n),
  };
}

const sources: ArgSources = {
  readEnv: (n) => ({ PROM_TOKEN: "s3cret" })[n],
  readFile: (p) => {
    if (p === "/etc/sluice/threshold") return "0.99\n";
    throw new Error(`ENOENT: ${p}`);
  },
};

function action(over: Partial<StartAnalysisRun> = {}): StartAnalysisRun {
  return {
    type: "startAnalysisRun",
    name: "web-abc123-step-2",
    role: "step",
    analysis: { templates: [{ templateName: "success-rate", clusterScope: false }], args: [] },
    args: {},
    canaryRevision: "abc123",
    stableRevision: "def456",
    ...over,
  };
}

const successRate = template("success-rate", {
  args: [{ name: "service" }, { name: "prom-port", value: "9090" }, { name: "canary-hash" }],
  metrics: [prom("success-rate", 'rate(ok{service="{{args.service}}",rev="{{args.canary-hash}}"}[1m])')],
});

function buildError(fn: () => unknown): AnalysisConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AnalysisConfigError) return err;
    throw err;
  }
  throw new Error("expected an AnalysisConfigError");
}

describe("buildAnalysisRun", () => {
  it("resolves args from the rollout, template defaults and revisions, and substitutes them", () => {
    const a = action({
      analysis: {
        templates: [{ templateName: "success-rate", clusterScope: false }],
        args: [
          { name: "service", value: "web" },
          { name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" } },
        ],
      },
      args: { "canary-hash": "abc123" },
    });
    const run = buildAnalysisRun(a, "web", lookup([successRate]), sources);
    expect(run.metadata).toEqual({
      name: "web-abc123-step-2",
      labels: {
        "sluice.dev/rollout": "web",
        "sluice.dev/revision": "abc123",
        "sluice.dev/role": "step",
        "sluice.dev/stable-revision": "def456",
      },
    });
    expect(run.spec.metrics[0]?.provider.prometheus).toMatchObject({
      address: "http://127.0.0.1:9090",
      query: 'rate(ok{service="web",rev="abc123"}[1m])',
    });
    expect(run.spec.args).toEqual([
      { name: "service", value: "web" },
      { name: "prom-port", value: "9090" },
      { name: "canary-hash", value: "abc123" },
    ]);
    expect(run.status).toEqual({ phase: "Pending", metricResults: [] });
    // The template itself is untouched.
    expect(successRate.spec.metrics[0]?.provider.prometheus?.query).toContain("{{args.service}}");
  });

  it("resolves podTemplateHashValue Baseline to the baseline revision, or stable without one, and labels the run", () => {
    const t = template("t", { args: [{ name: "h" }], metrics: [metric("m", { web: webProvider("/{{args.h}}") })] });
    const analysis = {
      templates: [{ templateName: "t", clusterScope: false }],
      args: [{ name: "h", valueFrom: { podTemplateHashValue: "Baseline" as const } }],
    };
    const withBaseline = buildAnalysisRun(
      action({ analysis, baselineRevision: "def456-baseline" }),
      "web",
      lookup([t]),
      sources,
    );
    expect(withBaseline.spec.metrics[0]?.provider.web?.url).toBe("http://127.0.0.1/def456-baseline");
    expect(withBaseline.metadata.labels?.["sluice.dev/baseline-revision"]).toBe("def456-baseline");
    const without = buildAnalysisRun(action({ analysis }), "web", lookup([t]), sources);
    expect(without.spec.metrics[0]?.provider.web?.url).toBe("http://127.0.0.1/def456");
    expect(without.metadata.labels?.["sluice.dev/baseline-revision"]).toBeUndefined();
  });

  it("resolves podTemplateHashValue Stable when the engine did not", () => {
    const t = template("t", { args: [{ name: "h" }], metrics: [metric("m", { web: webProvider("/{{args.h}}") })] });
    const a = action({
      analysis: {
        templates: [{ templateName: "t", clusterScope: false }],
        args: [{ name: "h", valueFrom: { podTemplateHashValue: "Stable" } }],
      },
    });
    expect(buildAnalysisRun(a, "web", lookup([t]), sources).spec.metrics[0]?.provider.web?.url).toBe(
      "http://127.0.0.1/def456",
    );
    const noStable = { ...a, stableRevision: undefined } as StartAnalysisRun;
    expect(buildError(() => buildAnalysisRun(noStable, "web", lookup([t]), sources)).message).toMatch(
      /argument "h" asks for the Stable revision/,
    );
  });

  it("reads valueFrom env and file on the local platform, and substitutes in headers, body, argv and env", () => {
    const t = template("t", {
      args: [
        { name: "token", valueFrom: { env: "PROM_TOKEN" } },
        { name: "threshold", valueFrom: { file: "/etc/sluice/threshold" } },
      ],
      metrics: [
        metric("web", {
          web: {
            ...webProvider("/q"),
            headers: [{ key: "Authorization", value: "Bearer {{args.token}}" }],
            body: '{"min": {{args.threshold}}}',
          },
        }),
        metric("cmd", {
          command: {
            command: ["check", "--min={{args.threshold}}"],
            env: [{ name: "TOKEN", value: "{{args.token}}" }],
            timeoutSeconds: 30,
            result: "json",
          },
        }),
      ],
    });
    const run = buildAnalysisRun(
      action({ analysis: { templates: [{ templateName: "t", clusterScope: false }], args: [] } }),
      "web",
      lookup([t]),
      sources,
    );
    expect(run.spec.metrics[0]?.provider.web?.headers).toEqual([{ key: "Authorization", value: "Bearer s3cret" }]);
    expect(run.spec.metrics[0]?.provider.web?.body).toBe('{"min": 0.99}');
    expect(run.spec.metrics[1]?.provider.command?.command).toEqual(["check", "--min=0.99"]);
    expect(run.spec.metrics[1]?.provider.command?.env).toEqual([{ name: "TOKEN", value: "s3cret" }]);
  });

  it("merges nested templates, cluster templates included, each once", () => {
    const base = template("base", {
      args: [{ name: "prom-port", value: "9090" }],
      metrics: [prom("errors", "errors")],
      dryRun: [{ metricName: "errors" }],
    });
    const latency: ClusterAnalysisTemplate = {
      ...template("latency", {
        metrics: [prom("p95", "p95")],
        templates: [{ templateName: "base", clusterScope: false }],
      }),
      kind: "ClusterAnalysisTemplate",
    };
    const top = template("top", {
      metrics: [prom("rate", "rate")],
      templates: [
        { templateName: "base", clusterScope: false },
        { templateName: "latency", clusterScope: true },
      ],
      measurementRetention: [{ metricName: "p95", limit: 3 }],
    });
    const a = action({ analysis: { templates: [{ templateName: "top", clusterScope: false }], args: [] } });
    const run = buildAnalysisRun(a, "web", lookup([base, top], [latency]), sources);
    expect(run.spec.metrics.map((m) => m.name)).toEqual(["rate", "errors", "p95"]);
    expect(run.spec.dryRun).toEqual([{ metricName: "errors" }]);
    expect(run.spec.measurementRetention).toEqual([{ metricName: "p95", limit: 3 }]);
  });

  it.each([
    [
      "a missing template",
      [successRate],
      [{ templateName: "nope", clusterScope: false }],
      'analysis template "nope" not found',
    ],
    [
      "a missing cluster template",
      [successRate],
      [{ templateName: "success-rate", clusterScope: true }],
      'cluster analysis template "success-rate" not found',
    ],
    [
      "a missing nested template",
      [template("a", { templates: [{ templateName: "gone", clusterScope: false }] })],
      [{ templateName: "a", clusterScope: false }],
      'analysis template "a" includes analysis template "gone", which does not exist',
    ],
    [
      "a cycle",
      [
        template("a", { templates: [{ templateName: "b", clusterScope: false }] }),
        template("b", { templates: [{ templateName: "c", clusterScope: false }] }),
        template("c", { templates: [{ templateName: "a", clusterScope: false }] }),
      ],
      [{ templateName: "a", clusterScope: false }],
      'analysis template "a" includes itself: a -> b -> c -> a',
    ],
    [
      "a template including itself",
      [template("a", { templates: [{ templateName: "a", clusterScope: false }] })],
      [{ templateName: "a", clusterScope: false }],
      'analysis template "a" includes itself: a -> a',
    ],
    [
      "duplicate metric names across templates",
      [template("a", { metrics: [prom("m", "x")] }), template("b", { metrics: [prom("m", "y")] })],
      [
        { templateName: "a", clusterScope: false },
        { templateName: "b", clusterScope: false },
      ],
      'metric "m" is defined in both analysis template "a" and analysis template "b"',
    ],
    [
      "no metrics at all",
      [template("empty", {})],
      [{ templateName: "empty", clusterScope: false }],
      'analysis template "empty" defines no metrics',
    ],
  ])("rejects %s", (_d, templates, refs, message) => {
    const a = action({ analysis: { templates: refs, args: [] } });
    const err = buildError(() => buildAnalysisRun(a, "web", lookup(templates), sources));
    expect(err.message).toContain(message);
    expect(err.message).not.toContain("\n");
  });

  it.each([
    [
      "a required arg with no value",
      [{ name: "service" }],
      'analysis template "t": argument "service" is required but has no value',
    ],
    [
      "an unset env var",
      [{ name: "x", valueFrom: { env: "NOT_SET" } }],
      "environment variable NOT_SET, which is not set",
    ],
    [
      "an unreadable file",
      [{ name: "x", valueFrom: { file: "/nope" } }],
      "reads file /nope, which failed: ENOENT: /nope",
    ],
    [
      "a Secret on the local platform",
      [{ name: "x", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }],
      'key "k" of Secret "s", which only the kubernetes platform can read',
    ],
  ])("rejects %s", (_d, args, message) => {
    const t = template("t", { args, metrics: [prom("m", "q")] });
    const withPort = { ...t, spec: { ...t.spec, args: [...t.spec.args, { name: "prom-port", value: "1" }] } };
    const a = action({ analysis: { templates: [{ templateName: "t", clusterScope: false }], args: [] } });
    const err = buildError(() => buildAnalysisRun(a, "web", lookup([withPort]), sources));
    expect(err.message).toContain(message);
    expect(err.template).toBe("t");
  });

  it("keeps the cause of a failed file read", () => {
    const t = template("t", {
      args: [{ name: "x", valueFrom: { file: "/nope" } }],
      metrics: [metric("m", { web: webProvider("/") })],
    });
    const a = action({ analysis: { templates: [{ templateName: "t", clusterScope: false }], args: [] } });
    expect(buildError(() => buildAnalysisRun(a, "web", lookup([t]), sources)).cause).toBeInstanceOf(Error);
  });

  it("lets the rollout's value win over the template's valueFrom", () => {
    const t = template("t", {
      args: [{ name: "x", valueFrom: { env: "NOT_SET" } }],
      metrics: [metric("m", { web: webProvider("/{{args.x}}") })],
    });
    const a = action({
      analysis: { templates: [{ templateName: "t", clusterScope: false }], args: [{ name: "x", value: "given" }] },
    });
    expect(buildAnalysisRun(a, "web", lookup([t]), sources).spec.metrics[0]?.provider.web?.url).toBe(
      "http://127.0.0.1/given",
    );
  });

  it("names template and field for a reference to an undeclared arg", () => {
    const t = template("t", { metrics: [metric("m", { web: webProvider("/{{args.missing}}") })] });
    const a = action({ analysis: { templates: [{ templateName: "t", clusterScope: false }], args: [] } });
    const err = buildError(() => buildAnalysisRun(a, "web", lookup([t]), sources));
    expect(err.message).toBe(
      'analysis template "t": spec.metrics[0].provider.web.url: {{args.missing}} names no argument',
    );
    expect(err.field).toBe("spec.metrics[0].provider.web.url");
  });

  it("rejects conflicting defaults for the same arg and dryRun naming an unknown metric", () => {
    const a1 = template("a", { args: [{ name: "x", value: "1" }], metrics: [prom("m1", "q")] });
    const b1 = template("b", { args: [{ name: "x", value: "2" }], metrics: [prom("m2", "q")] });
    const refs = [
      { templateName: "a", clusterScope: false },
      { templateName: "b", clusterScope: false },
    ];
    expect(
      buildError(() =>
        buildAnalysisRun(action({ analysis: { templates: refs, args: [] } }), "web", lookup([a1, b1]), sources),
      ).message,
    ).toContain('argument "x" has value "1" in analysis template "a" but "2" in analysis template "b"');
    const d = template("d", { metrics: [metric("m", { web: webProvider("/") })], dryRun: [{ metricName: "typo" }] });
    const a = action({ analysis: { templates: [{ templateName: "d", clusterScope: false }], args: [] } });
    expect(buildError(() => buildAnalysisRun(a, "web", lookup([d]), sources)).message).toContain(
      'spec.dryRun[0].metricName names metric "typo"',
    );
  });
});

function webProvider(path: string) {
  return {
    url: `http://127.0.0.1${path}`,
    method: "GET" as const,
    headers: [],
    timeoutSeconds: 10,
    insecure: false,
  };
}

describe("referencedSecrets", () => {
  it("lists each Secret the templates and the templates they include read arguments from, once", () => {
    const token = template("token", {
      args: [{ name: "token", valueFrom: { secretKeyRef: { name: "prom-auth", key: "token" } } }],
      metrics: [prom("m", "up")],
    });
    const top = template("top", {
      templates: [{ templateName: "token", clusterScope: false }],
      args: [
        { name: "user", valueFrom: { secretKeyRef: { name: "prom-auth", key: "user" } } },
        { name: "url", valueFrom: { secretKeyRef: { name: "endpoints", key: "url" } } },
      ],
      metrics: [prom("n", "up")],
    });
    expect(referencedSecrets([{ templateName: "top" }], lookup([top, token]))).toEqual(["prom-auth", "endpoints"]);
  });

  it("is empty when the templates do not resolve (the build says why)", () => {
    expect(referencedSecrets([{ templateName: "missing" }], lookup([]))).toEqual([]);
  });
});

describe("buildAnalysisRun: the judge's false-alarm budget", () => {
  const judged = (name: string): Metric => ({
    name,
    provider: { builtin: { window: "1m", minRequests: 100 } },
    failureLimit: 0,
    inconclusiveLimit: 0,
    consecutiveErrorLimit: 4,
    consecutiveSuccessLimit: 0,
    judge: {
      errorRate: { maxRelativeIncrease: 0.1, maxAbsoluteIncrease: 0.005 },
      minRequests: 100,
      maxDuration: "30m",
      onInsufficientEvidence: "abort",
    },
  });
  const both = (alphaA?: number, alphaB?: number) =>
    buildAnalysisRun(
      action({
        analysis: {
          templates: [
            { templateName: "a", clusterScope: false },
            { templateName: "b", clusterScope: false },
          ],
          args: [],
        },
      }),
      "web",
      lookup([
        template("a", { metrics: [judged("errors-a")], ...(alphaA === undefined ? {} : { alpha: alphaA }) }),
        template("b", { metrics: [judged("errors-b")], ...(alphaB === undefined ? {} : { alpha: alphaB }) }),
      ]),
      sources,
    );

  it("takes the strictest alpha of the merged templates, and leaves it unset (0.01) when none sets one", () => {
    expect(both(0.05, 0.002).spec.alpha).toBe(0.002);
    expect(both(0.05).spec.alpha).toBe(0.05);
    expect(both().spec.alpha).toBeUndefined();
  });
});
