import type { V1OwnerReference, V1PodSpec, V1ReplicaSet } from "@kubernetes/client-node";
import { API_VERSION, type Rollout, type WorkloadTemplate } from "../../model/index.js";

/** Label on every ReplicaSet and pod of a rollout: the rollout's name. */
export const ROLLOUT_LABEL = "sluice.dev/rollout";
/** Label on a revision's ReplicaSet and pods, and the Service selector key Sluice switches: the revision hash. */
export const HASH_LABEL = "sluice.dev/pod-template-hash";
/** Annotation on a revision's ReplicaSet: the revision hash. */
export const HASH_ANNOTATION = "sluice.dev/revision-hash";
/**
 * Annotation on a revision's ReplicaSet: the workload template exactly as the Rollout had it. The
 * pod template read back from the API server carries server defaults, so it would hash differently
 * and `undo` could not return to the same revision with it.
 */
export const TEMPLATE_ANNOTATION = "sluice.dev/template";

/** The ReplicaSet name of revision `hash` of rollout `rollout`. */
export function replicaSetName(rollout: string, hash: string): string {
  return `${rollout}-${hash}`;
}

/** The labels that select a revision's pods (the ReplicaSet's matchLabels). */
export function revisionSelector(rollout: string, hash: string): Record<string, string> {
  return { [ROLLOUT_LABEL]: rollout, [HASH_LABEL]: hash };
}

/** A label selector string that lists every ReplicaSet and pod of a rollout. */
export function rolloutLabelSelector(rollout: string): string {
  return `${ROLLOUT_LABEL}=${rollout}`;
}

/** The owner reference that ties a revision's ReplicaSet to its Rollout; undefined without a uid. */
export function rolloutOwnerReference(rollout: Rollout): V1OwnerReference | undefined {
  const uid = rollout.metadata.uid;
  if (!uid) return undefined;
  return {
    apiVersion: API_VERSION,
    kind: "Rollout",
    name: rollout.metadata.name,
    uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** What {@link buildReplicaSet} needs besides the rollout. */
export interface RevisionInput {
  hash: string;
  template: WorkloadTemplate;
  replicas: number;
  /** Defaults to the rollout's namespace. */
  namespace?: string;
}

/** Thrown when a template has no Kubernetes pod spec (it is a local-platform `process` template). */
export class ReplicaSetTemplateError extends Error {
  override readonly name = "ReplicaSetTemplateError";
}

/**
 * The ReplicaSet that runs one revision: named `<rollout>-<hash>`, labelled and selected by the
 * rollout name and hash, owned by the Rollout, with the Rollout's pod spec and minReadySeconds.
 */
export function buildReplicaSet(rollout: Rollout, input: RevisionInput): V1ReplicaSet {
  const { hash, template, replicas } = input;
  if (!template.spec)
    throw new ReplicaSetTemplateError(
      `revision ${hash} of rollout "${rollout.metadata.name}" has no pod template (template.spec); Kubernetes cannot run template.process`,
    );
  const name = rollout.metadata.name;
  const selector = revisionSelector(name, hash);
  const labels = { ...(template.metadata?.labels ?? {}), ...selector };
  const owner = rolloutOwnerReference(rollout);
  const namespace = input.namespace ?? rollout.metadata.namespace;
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: replicaSetName(name, hash),
      ...(namespace ? { namespace } : {}),
      labels,
      annotations: { [HASH_ANNOTATION]: hash, [TEMPLATE_ANNOTATION]: JSON.stringify(template) },
      ...(owner ? { ownerReferences: [owner] } : {}),
    },
    spec: {
      replicas,
      minReadySeconds: rollout.spec.minReadySeconds,
      selector: { matchLabels: selector },
      template: {
        metadata: {
          labels,
          ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
        },
        spec: structuredClone(template.spec) as unknown as V1PodSpec,
      },
    },
  };
}

/** Labels without the ones Sluice adds, so a template read back looks as the user wrote it. */
export function userLabels(labels: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!labels) return undefined;
  const out = Object.fromEntries(Object.entries(labels).filter(([k]) => !k.startsWith("sluice.dev/")));
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The workload template a revision's ReplicaSet runs: the copy kept in its annotation when it is
 * there and parses, else the pod template as the API server returns it (with server defaults).
 */
export function templateOf(rs: V1ReplicaSet): WorkloadTemplate | undefined {
  const kept = rs.metadata?.annotations?.[TEMPLATE_ANNOTATION];
  if (kept) {
    try {
      const parsed = JSON.parse(kept) as WorkloadTemplate;
      if (parsed && typeof parsed === "object" && parsed.spec) return parsed;
    } catch {
      // Fall through to the pod template: an edited annotation must not hide the revision.
    }
  }
  const pod = rs.spec?.template;
  if (!pod?.spec) return undefined;
  const labels = userLabels(pod.metadata?.labels);
  const annotations = pod.metadata?.annotations;
  const metadata = {
    ...(labels ? { labels } : {}),
    ...(annotations && Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}),
  };
  return {
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    spec: pod.spec as unknown as NonNullable<WorkloadTemplate["spec"]>,
  };
}

/** The revision hash a ReplicaSet belongs to, from its label (or its annotation). */
export function hashOf(rs: V1ReplicaSet): string | undefined {
  return rs.metadata?.labels?.[HASH_LABEL] ?? rs.metadata?.annotations?.[HASH_ANNOTATION];
}
