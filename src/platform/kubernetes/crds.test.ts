import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { staleCrdFiles } from "../../../scripts/generate-crds.js";
import { allCrds, crdFor, crdSchema, pluralOf } from "./crds.js";
import type { SchemaNode } from "./structural.js";

const root = join(import.meta.dirname, "../../..");

function walk(n: SchemaNode, path: string, visit: (path: string, n: SchemaNode) => void): void {
  visit(path, n);
  for (const [k, v] of Object.entries((n.properties as Record<string, SchemaNode> | undefined) ?? {}))
    walk(v, `${path}.${k}`, visit);
  if (n.items) walk(n.items as SchemaNode, `${path}[]`, visit);
  if (typeof n.additionalProperties === "object") walk(n.additionalProperties as SchemaNode, `${path}{}`, visit);
}

describe("CRDs", () => {
  it.each(allCrds().map((c) => [c.spec.names.kind, c] as const))("%s has a structural schema", (_kind, crd) => {
    const schema = crd.spec.versions[0]?.schema.openAPIV3Schema as SchemaNode;
    walk(schema, "", (path, n) => {
      for (const banned of ["anyOf", "oneOf", "allOf", "$ref", "$defs", "$schema", "const"])
        expect(n, `${path} has ${banned}`).not.toHaveProperty(banned);
      expect(n.additionalProperties, path).not.toBe(false);
      const typed =
        n.type !== undefined || n["x-kubernetes-int-or-string"] || n["x-kubernetes-preserve-unknown-fields"];
      expect(typed, `${path} has a type`).toBeTruthy();
    });
    expect((schema.properties as Record<string, SchemaNode>).metadata).toEqual({ type: "object" });
  });

  it("names the seven kinds in group sluice.dev, with short names and the sluice category", () => {
    const names = allCrds().map((c) => [
      c.metadata.name,
      c.spec.scope,
      c.spec.names.shortNames,
      c.spec.names.categories,
    ]);
    expect(names).toEqual([
      ["rollouts.sluice.dev", "Namespaced", ["ro"], ["sluice"]],
      ["analysistemplates.sluice.dev", "Namespaced", ["at"], ["sluice"]],
      ["clusteranalysistemplates.sluice.dev", "Cluster", ["cat"], ["sluice"]],
      ["analysisruns.sluice.dev", "Namespaced", ["ar"], ["sluice"]],
      ["pipelines.sluice.dev", "Namespaced", ["pl"], ["sluice"]],
      ["releases.sluice.dev", "Namespaced", ["rel"], ["sluice"]],
      ["pipelineapprovals.sluice.dev", "Namespaced", ["pa"], ["sluice"]],
    ]);
    expect(pluralOf("AnalysisRun")).toBe("analysisruns");
  });

  it("gives Rollout, AnalysisRun, Pipeline and PipelineApproval a status subresource, the templates and Release none", () => {
    const withStatus = allCrds()
      .filter((c) => c.spec.versions[0]?.subresources?.status)
      .map((c) => c.spec.names.kind);
    expect(withStatus).toEqual(["Rollout", "AnalysisRun", "Pipeline", "PipelineApproval"]);
  });

  it("has the printer columns kubectl get shows", () => {
    const cols = (kind: "Rollout" | "AnalysisRun") =>
      crdFor(kind).spec.versions[0]?.additionalPrinterColumns.map((c) => `${c.name}=${c.jsonPath}`);
    expect(cols("Rollout")).toEqual([
      "Strategy=.status.strategy",
      "Phase=.status.phase",
      "Step=.status.currentStepIndex",
      'Weight=.status.revisions[?(@.role=="canary")].weight',
      "Age=.metadata.creationTimestamp",
    ]);
    expect(cols("AnalysisRun")).toEqual([
      "Phase=.status.phase",
      "Rollout=.metadata.labels.sluice\\.dev/rollout",
      "Age=.metadata.creationTimestamp",
    ]);
  });

  it("keeps the pod spec open and the canary steps as one object with an exactly-one rule", () => {
    const spec = (crdSchema("Rollout").properties as Record<string, SchemaNode>).spec as SchemaNode;
    const template = (spec.properties as Record<string, SchemaNode>).template as SchemaNode;
    const pod = (template.properties as Record<string, SchemaNode>).spec;
    expect(pod?.["x-kubernetes-preserve-unknown-fields"]).toBe(true);
    const strategy = (spec.properties as Record<string, SchemaNode>).strategy as SchemaNode;
    const canary = (strategy.properties as Record<string, SchemaNode>).canary as SchemaNode;
    const steps = (canary.properties as Record<string, SchemaNode>).steps as SchemaNode;
    const step = steps.items as SchemaNode;
    expect(Object.keys(step.properties as object)).toEqual([
      "setWeight",
      "pause",
      "analysis",
      "setCanaryScale",
      "setHeaderRoute",
      "setMirrorRoute",
      "gate",
    ]);
    expect(JSON.stringify(step["x-kubernetes-validations"])).toContain("exists_one");
    expect((step.properties as Record<string, SchemaNode>).setWeight).toEqual({
      type: "integer",
      minimum: 0,
      maximum: 100,
    });
  });

  it("declares the API-only status fields and the scale subresource a HorizontalPodAutoscaler uses", () => {
    const status = (crdSchema("Rollout").properties as Record<string, SchemaNode>).status as SchemaNode;
    const props = status.properties as Record<string, SchemaNode>;
    expect(props.strategy).toMatchObject({ enum: ["canary", "blueGreen"] });
    expect(props.replicas).toMatchObject({ type: "integer" });
    expect(props.selector).toMatchObject({ type: "string" });
    expect(crdFor("Rollout").spec.versions[0]?.subresources).toEqual({
      status: {},
      scale: {
        specReplicasPath: ".spec.replicas",
        statusReplicasPath: ".status.replicas",
        labelSelectorPath: ".status.selector",
      },
    });
    expect(crdFor("AnalysisRun").spec.versions[0]?.subresources).toEqual({ status: {} });
  });

  it("matches the committed files in deploy/crds and the Helm chart (run scripts/generate-crds.ts)", async () => {
    expect(await staleCrdFiles(root)).toEqual([]);
  });
});

describe("deploy/", () => {
  const docs = (rel: string) =>
    parseAllDocuments(readFileSync(join(root, rel), "utf8")).map((d) => {
      expect(d.errors, rel).toEqual([]);
      return d.toJS() as { kind: string; metadata: { name: string }; rules?: unknown[] };
    });

  it("parses, with the objects the install needs", () => {
    expect(docs("deploy/rbac.yaml").map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      "Namespace/sluice-system",
      "ServiceAccount/sluice-controller",
      "ClusterRole/sluice-controller",
      "ClusterRoleBinding/sluice-controller",
      "Role/sluice-controller-leader-election",
      "RoleBinding/sluice-controller-leader-election",
      "ClusterRole/sluice-controller-secrets",
    ]);
    expect(docs("deploy/controller.yaml").map((d) => d.kind)).toEqual(["Deployment"]);
    for (const f of readdirSync(join(root, "deploy/crds")))
      expect(docs(`deploy/crds/${f}`)[0]?.kind).toBe("CustomResourceDefinition");
  });

  // No helm binary here: blank out the template actions and check what is left is YAML.
  const template = (rel: string) =>
    readFileSync(join(root, rel), "utf8")
      .split("\n")
      .filter((line) => !/^\s*\{\{.*\}\}\s*$/.test(line))
      .join("\n")
      .replace(/\{\{.*?\}\}/g, "x");

  it("has a Helm chart whose templates are YAML once rendered", () => {
    const chart = parse(readFileSync(join(root, "deploy/helm/sluice/Chart.yaml"), "utf8"));
    expect(chart).toMatchObject({ apiVersion: "v2", name: "sluice" });
    expect(parse(readFileSync(join(root, "deploy/helm/sluice/values.yaml"), "utf8")).image.repository).toBe("sluice");
    const dir = "deploy/helm/sluice/templates";
    const kinds = readdirSync(join(root, dir))
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => (parse(template(`${dir}/${f}`)) as { kind: string }).kind)
      .sort();
    expect(kinds).toEqual([
      "ClusterRole",
      "ClusterRole",
      "ClusterRoleBinding",
      "Deployment",
      "PrometheusRule",
      "Role",
      "RoleBinding",
      "RoleBinding",
      "Service",
      "ServiceAccount",
      "ServiceMonitor",
      "ValidatingAdmissionPolicy",
      "ValidatingAdmissionPolicyBinding",
    ]);
  });

  it("gives the chart the same requester policy as deploy/pipeline-approval-policy.yaml", () => {
    const plain = docs("deploy/pipeline-approval-policy.yaml").map((d) => {
      const { labels: _labels, ...metadata } = d.metadata as { labels?: unknown; name: string };
      return { ...d, metadata };
    });
    // The chart's labels come from its helpers; the rest must be the same.
    const chart = ["validatingadmissionpolicy", "validatingadmissionpolicybinding"].map((f) => {
      const d = parse(template(`deploy/helm/sluice/templates/${f}.yaml`)) as { metadata: { labels?: unknown } };
      const { labels: _labels, ...metadata } = d.metadata;
      return { ...d, metadata };
    });
    expect(chart).toEqual(plain);
  });

  it("gives the chart's ClusterRole the same rules as deploy/rbac.yaml", () => {
    const plain = docs("deploy/rbac.yaml").find((d) => d.kind === "ClusterRole");
    const chart = parse(template("deploy/helm/sluice/templates/clusterrole.yaml")) as { rules: unknown[] };
    expect(chart.rules).toEqual(plain?.rules);
  });
});
