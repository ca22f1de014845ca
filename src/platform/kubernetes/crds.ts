import { stringify } from "yaml";
import { z } from "zod";
import { PipelineApproval } from "../../model/approval.js";
import { jsonSchemaFor } from "../../model/json-schema.js";
import { RESOURCE_KINDS } from "../../model/validate.js";
import type { ResourceKind } from "../../ports/control-plane.js";

/**
 * The kinds that have a CRD: every resource kind, and PipelineApproval, which exists only on
 * Kubernetes (locally people approve through Sluice's API).
 */
export type KubeKind = ResourceKind | "PipelineApproval";

/** Every kind with a CRD, in the order the docs list them. */
export const KUBE_KINDS: readonly KubeKind[] = [...RESOURCE_KINDS, "PipelineApproval"];

import { ROLLOUT_API_STATUS, ROLLOUT_SCALE } from "./api-status.js";
import { type CelRule, type SchemaNode, toStructural } from "./structural.js";

/** The API group of every Sluice resource. */
export const SLUICE_GROUP = "sluice.dev";
/** The one version served (and stored). */
export const SLUICE_VERSION = "v1alpha1";

/** A printer column, as `kubectl get` shows it. */
export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  description?: string;
  priority?: number;
}

/** An apiextensions.k8s.io/v1 CustomResourceDefinition, as plain JSON (the keys Kubernetes reads). */
export interface CustomResourceDefinition {
  apiVersion: "apiextensions.k8s.io/v1";
  kind: "CustomResourceDefinition";
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    group: string;
    scope: "Namespaced" | "Cluster";
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames: string[];
      categories: string[];
    };
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      schema: { openAPIV3Schema: SchemaNode };
      subresources?: { status: Record<string, never>; scale?: typeof ROLLOUT_SCALE };
      additionalPrinterColumns: PrinterColumn[];
    }[];
  };
}

interface KindInfo {
  plural: string;
  shortName: string;
  scope: "Namespaced" | "Cluster";
  status: boolean;
  /** The scale subresource, for kinds an HPA or `kubectl scale` may resize. */
  scale?: typeof ROLLOUT_SCALE;
  columns: PrinterColumn[];
}

const age: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };

const KINDS: Record<KubeKind, KindInfo> = {
  Rollout: {
    plural: "rollouts",
    shortName: "ro",
    scope: "Namespaced",
    status: true,
    scale: ROLLOUT_SCALE,
    columns: [
      { name: "Strategy", type: "string", jsonPath: ".status.strategy" },
      { name: "Phase", type: "string", jsonPath: ".status.phase" },
      { name: "Step", type: "integer", jsonPath: ".status.currentStepIndex", description: "Index of the current step" },
      {
        name: "Weight",
        type: "number",
        jsonPath: '.status.revisions[?(@.role=="canary")].weight',
        description: "Share of traffic the canary takes, 0..100",
      },
      age,
    ],
  },
  AnalysisTemplate: {
    plural: "analysistemplates",
    shortName: "at",
    scope: "Namespaced",
    status: false,
    columns: [age],
  },
  ClusterAnalysisTemplate: {
    plural: "clusteranalysistemplates",
    shortName: "cat",
    scope: "Cluster",
    status: false,
    columns: [age],
  },
  AnalysisRun: {
    plural: "analysisruns",
    shortName: "ar",
    scope: "Namespaced",
    status: true,
    columns: [
      { name: "Phase", type: "string", jsonPath: ".status.phase" },
      { name: "Rollout", type: "string", jsonPath: ".metadata.labels.sluice\\.dev/rollout" },
      age,
    ],
  },
  Pipeline: {
    plural: "pipelines",
    shortName: "pl",
    scope: "Namespaced",
    status: true,
    columns: [
      { name: "Stages", type: "string", jsonPath: ".spec.stages[*].name" },
      { name: "Recorded", type: "integer", jsonPath: ".status.recordSeq", description: "Entries in the record" },
      age,
    ],
  },
  Release: {
    plural: "releases",
    shortName: "rel",
    scope: "Namespaced",
    status: false,
    columns: [
      { name: "Pipeline", type: "string", jsonPath: ".spec.pipeline" },
      { name: "Image", type: "string", jsonPath: ".spec.image" },
      age,
    ],
  },
  PipelineApproval: {
    plural: "pipelineapprovals",
    shortName: "pa",
    scope: "Namespaced",
    status: true,
    columns: [
      { name: "Pipeline", type: "string", jsonPath: ".spec.pipeline" },
      { name: "Release", type: "string", jsonPath: ".spec.release" },
      { name: "Stage", type: "string", jsonPath: ".spec.stage" },
      { name: "Decision", type: "string", jsonPath: ".spec.decision" },
      { name: "Requester", type: "string", jsonPath: ".spec.requester" },
      { name: "Phase", type: "string", jsonPath: ".status.phase" },
      age,
    ],
  },
};

/** A spec that may never change once created (releases and approvals are records). */
const immutable = (what: string): CelRule => ({ rule: "self == oldSelf", message: `${what} is immutable` });

const exactlyOne = (names: string[], message: string): CelRule => ({
  rule: `[${names.map((n) => `has(self.${n})`).join(", ")}].exists_one(x, x)`,
  message,
});

const providerRule = exactlyOne(
  ["builtin", "prometheus", "web", "command", "job"],
  "set exactly one provider: builtin, prometheus, web, command or job",
);

// The model's `.check` rules are invisible in JSON Schema; these are the cheap ones worth failing at
// `kubectl apply`. The rest (setCanaryScale's one-of, StringMatch, arg value/valueFrom) stay with the
// controller's own validation of every object it reads.
const VALIDATIONS: Record<KubeKind, Record<string, CelRule[]>> = {
  Rollout: {
    "spec.strategy": [exactlyOne(["canary", "blueGreen"], "set exactly one of strategy.canary or strategy.blueGreen")],
    "spec.template": [
      exactlyOne(
        ["process", "spec"],
        "set exactly one of template.process (local platform) or template.spec (Kubernetes pod spec)",
      ),
    ],
    "spec.notifications": [
      {
        rule: "self.all(n, self.exists_one(m, m.name == n.name))",
        message: "notification names must be unique within the rollout",
      },
    ],
    "spec.notifications[].webhook": [
      exactlyOne(["url", "urlFrom"], "set exactly one of webhook.url or webhook.urlFrom"),
    ],
    "spec.notifications[].webhook.urlFrom": [
      exactlyOne(["env", "secretKeyRef"], "set exactly one of urlFrom.env or urlFrom.secretKeyRef"),
    ],
  },
  AnalysisTemplate: { "spec.metrics[].provider": [providerRule] },
  ClusterAnalysisTemplate: { "spec.metrics[].provider": [providerRule] },
  AnalysisRun: { "spec.metrics[].provider": [providerRule] },
  Pipeline: {
    "spec.stages": [
      {
        rule: "self.all(s, self.exists_one(t, t.name == s.name))",
        message: "stage names must be unique within the pipeline",
      },
    ],
  },
  Release: { spec: [immutable("a release")] },
  PipelineApproval: {
    spec: [
      immutable("an approval"),
      {
        rule: "self.decision in ['reject', 'unreject'] ? !has(self.stage) : has(self.stage)",
        message: "approve, deny, promote and retry need a stage; reject and unreject leave it out",
      },
    ],
  },
};

/** The JSON Schema of what users write for a kind (the input side: fields with defaults optional). */
function inputSchema(kind: KubeKind): SchemaNode {
  if (kind === "PipelineApproval")
    return z.toJSONSchema(PipelineApproval, { io: "input", target: "openapi-3.0" }) as SchemaNode;
  return jsonSchemaFor(kind, { target: "openapi-3.0" }) as SchemaNode;
}

/** The structural OpenAPI v3 schema of a kind, as its CRD carries it. */
export function crdSchema(kind: KubeKind): SchemaNode {
  const source = structuredClone(inputSchema(kind));
  const props = source.properties as SchemaNode;
  // The API server owns these three; a CRD may only say what type they are.
  props.apiVersion = { type: "string" };
  props.kind = { type: "string" };
  props.metadata = { type: "object" };
  source.required = ["spec"];
  if (kind === "Rollout") {
    const status = props.status as SchemaNode;
    status.properties = { ...(status.properties as SchemaNode), ...ROLLOUT_API_STATUS };
  }
  return toStructural(source, {
    preserveUnknownFields: ["spec.template.spec"],
    validations: VALIDATIONS[kind],
  });
}

/** The CustomResourceDefinition for a Sluice kind. */
export function crdFor(kind: KubeKind): CustomResourceDefinition {
  const info = KINDS[kind];
  const singular = kind.toLowerCase();
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${info.plural}.${SLUICE_GROUP}`, labels: { "app.kubernetes.io/part-of": "sluice" } },
    spec: {
      group: SLUICE_GROUP,
      scope: info.scope,
      names: {
        kind,
        listKind: `${kind}List`,
        plural: info.plural,
        singular,
        shortNames: [info.shortName],
        categories: ["sluice"],
      },
      versions: [
        {
          name: SLUICE_VERSION,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: crdSchema(kind) },
          ...(info.status ? { subresources: { status: {}, ...(info.scale ? { scale: info.scale } : {}) } } : {}),
          additionalPrinterColumns: info.columns,
        },
      ],
    },
  };
}

/** Every Sluice CRD, in the order the docs list the kinds. */
export function allCrds(): CustomResourceDefinition[] {
  return KUBE_KINDS.map(crdFor);
}

/** The plural resource name of a kind, e.g. `rollouts`: the path segment of its API. */
export function pluralOf(kind: KubeKind): string {
  return KINDS[kind].plural;
}

const HEADER = "# Generated by scripts/generate-crds.ts from the schemas in src/model. Do not edit.\n";

/** One CRD as the YAML file deploy/crds holds. */
export function crdYaml(crd: CustomResourceDefinition): string {
  return HEADER + stringify(crd, { lineWidth: 0 });
}

/** The files deploy/crds should hold: `<plural>.sluice.dev.yaml` and its YAML text. */
export function crdFiles(): { file: string; content: string }[] {
  return allCrds().map((crd) => ({ file: `${crd.metadata.name}.yaml`, content: crdYaml(crd) }));
}
