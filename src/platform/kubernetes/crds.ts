import { stringify } from "yaml";
import type { ResourceKind } from "../../controller/control-plane.js";

/**
 * The kinds that have a CRD. Pipelines and releases run on the local platform in this version, so
 * they have none yet.
 */
export type KubeKind = Exclude<ResourceKind, "Pipeline" | "Release">;

/** The kind, if it has a CRD; throws a one-line error for the local-only kinds. */
export function kubeKind(kind: ResourceKind): KubeKind {
  if (kind === "Pipeline" || kind === "Release")
    throw new Error(
      `${kind} resources run on the local platform in this version of Sluice; there is no ${kind} CRD yet`,
    );
  return kind;
}

import { jsonSchemaFor } from "../../model/json-schema.js";
import { RESOURCE_KINDS } from "../../model/validate.js";
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
};

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
};

/** The structural OpenAPI v3 schema of a kind, as its CRD carries it. */
export function crdSchema(kind: ResourceKind): SchemaNode {
  const source = structuredClone(jsonSchemaFor(kind, { target: "openapi-3.0" })) as SchemaNode;
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
    validations: VALIDATIONS[kubeKind(kind)],
  });
}

/** The CustomResourceDefinition for a Sluice kind. */
export function crdFor(kind: ResourceKind): CustomResourceDefinition {
  const info = KINDS[kubeKind(kind)];
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
  return RESOURCE_KINDS.filter((k) => k !== "Pipeline" && k !== "Release").map(crdFor);
}

/** The plural resource name of a kind, e.g. `rollouts`: the path segment of its API. */
export function pluralOf(kind: ResourceKind): string {
  return KINDS[kubeKind(kind)].plural;
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
