import type { KubernetesObject } from "@kubernetes/client-node";
import {
  AnalysisRun,
  AnalysisTemplate,
  ClusterAnalysisTemplate,
  Pipeline,
  Release,
  Rollout,
} from "../../model/index.js";
import type { Resource, ResourceKind } from "../../ports/control-plane.js";
import { ROLLOUT_API_STATUS, rolloutApiStatus } from "./api-status.js";

const SCHEMAS = { Rollout, AnalysisTemplate, ClusterAnalysisTemplate, AnalysisRun, Pipeline, Release } as const;

/** The metadata keys Sluice's model keeps; the API server adds many more (managedFields, ownerReferences...). */
const MODEL_METADATA = [
  "name",
  "namespace",
  "labels",
  "annotations",
  "generation",
  "uid",
  "resourceVersion",
  "creationTimestamp",
] as const;

/** A custom resource the API server returned that Sluice's schema refuses (an older or hand-edited object). */
export class ObjectConversionError extends Error {
  override readonly name = "ObjectConversionError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

type ApiObject = KubernetesObject & { spec?: unknown; status?: Record<string, unknown> };

/**
 * Turns an object read from the API server into the model resource the engine works on: metadata
 * trimmed to what the model knows, API-only status fields dropped, defaults filled in.
 */
export function toResource(kind: ResourceKind, obj: ApiObject): Resource {
  const meta = (obj.metadata ?? {}) as Record<string, unknown>;
  const metadata: Record<string, unknown> = {};
  for (const key of MODEL_METADATA) {
    const value = meta[key];
    if (value === undefined || value === null) continue;
    // client-node revives timestamps as Date objects; the model keeps the API's strings.
    metadata[key] = value instanceof Date ? value.toISOString() : value;
  }
  let status = obj.status;
  if (kind === "Rollout" && status) {
    status = { ...status };
    for (const key of Object.keys(ROLLOUT_API_STATUS)) delete status[key];
  }
  const candidate = {
    apiVersion: obj.apiVersion,
    kind,
    metadata,
    ...(obj.spec !== undefined ? { spec: obj.spec } : {}),
    ...(status && Object.keys(status).length > 0 ? { status } : {}),
  };
  const parsed = SCHEMAS[kind].safeParse(candidate);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? `${first.path.join(".")}: ${first.message}` : "invalid";
    throw new ObjectConversionError(
      `${kind} ${String(meta.namespace ?? "")}/${String(meta.name ?? "")} does not match Sluice's schema (${where})`,
      { cause: parsed.error },
    );
  }
  return parsed.data as Resource;
}

/** The status as the API server stores it: the model's status plus the API-only fields. */
export function toApiStatus(kind: ResourceKind, resource: Resource, status: unknown): Record<string, unknown> {
  const out = { ...(status as Record<string, unknown>) };
  if (kind === "Rollout") Object.assign(out, rolloutApiStatus(resource as Rollout, status as Rollout["status"]));
  return out;
}

/**
 * Orders two resourceVersions. They are opaque to clients in principle, but etcd-backed servers
 * issue increasing integers; anything else compares as "not newer" so the informer wins.
 */
export function isNewer(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  try {
    return BigInt(a) > BigInt(b);
  } catch {
    return false;
  }
}
