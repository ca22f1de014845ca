import { isDeepStrictEqual } from "node:util";
import { ApiException, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { TrafficRoutingError } from "./port.js";

/** The field manager of every write Sluice makes. */
export const FIELD_MANAGER = "sluice-controller";

/** A route object as the API returns it: plain JSON, every field the user set kept as is. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: unknown[];
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

/** One object a router reads or writes, and the Rollout field that names it (for error messages). */
export interface ObjectRef {
  kind: string;
  group: string;
  version: string;
  plural: string;
  namespace: string;
  name: string;
  /** e.g. `spec.strategy.canary.trafficRouting.gatewayAPI.httpRoute`. */
  field: string;
}

/** Test-only hooks; production code passes none. */
export interface RouterOptions {
  /** Runs after a router has read an object and before it writes it back (tests race an edit here). */
  beforeWrite?: (ref: ObjectRef) => Promise<void>;
}

type Verb = "read" | "create" | "replace" | "delete";

const where = (ref: ObjectRef) => `${ref.kind} ${ref.namespace}/${ref.name}`;

function statusOf(err: ApiException<unknown>): { message?: string; reason?: string; details?: { name?: string } } {
  try {
    const parsed = typeof err.body === "string" ? JSON.parse(err.body) : err.body;
    return typeof parsed === "object" && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

/**
 * Turns an API failure into one line a user can act on. A 404 that names the object means the object
 * is missing; a 404 without a name means the API server does not serve the kind at all (no CRD).
 */
export function routingFailure(err: unknown, ref: ObjectRef, verb: Verb, router: string): TrafficRoutingError {
  if (!(err instanceof ApiException))
    return new TrafficRoutingError(`${verb} ${where(ref)}: ${(err as Error)?.message ?? String(err)}`, router, {
      cause: err,
    });
  const status = statusOf(err);
  const apiVersion = `${ref.group}/${ref.version}`;
  if (err.code === 404 && status.details?.name === undefined)
    return new TrafficRoutingError(
      `${ref.kind} (${apiVersion}) is not served by this cluster (${ref.field}): install the CRD ${ref.plural}.${ref.group} or use another router`,
      router,
      { cause: err },
    );
  if (err.code === 404)
    return new TrafficRoutingError(`${where(ref)} not found (${ref.field}): create it or fix the name`, router, {
      cause: err,
    });
  if (err.code === 409)
    return new TrafficRoutingError(
      `${where(ref)} was changed by someone else while Sluice wrote it: conflicting edit; will retry`,
      router,
      { cause: err },
    );
  const message = status.message ?? err.message.split("\n")[0];
  return new TrafficRoutingError(`${verb} ${where(ref)} failed (HTTP ${err.code}): ${message}`, router, {
    cause: err,
  });
}

const isMissingObject = (err: unknown) =>
  err instanceof ApiException && err.code === 404 && statusOf(err).details?.name !== undefined;

/**
 * Reads and writes route objects through the generic custom-object endpoints, built-in kinds included,
 * so every field the user set round-trips untouched (typed clients drop fields their models lack).
 * Writes carry the resourceVersion that was read: a concurrent edit fails with 409 instead of being lost.
 */
export class RouteObjects {
  private readonly api: CustomObjectsApi;

  constructor(
    kc: KubeConfig,
    private readonly router: string,
    private readonly opts: RouterOptions = {},
  ) {
    this.api = kc.makeApiClient(CustomObjectsApi);
  }

  private path(ref: ObjectRef) {
    return { group: ref.group, version: ref.version, namespace: ref.namespace, plural: ref.plural };
  }

  /** The object, or a TrafficRoutingError naming the field when it (or its kind) is missing. */
  async get(ref: ObjectRef): Promise<KubeObject> {
    try {
      return (await this.api.getNamespacedCustomObject({ ...this.path(ref), name: ref.name })) as KubeObject;
    } catch (err) {
      throw routingFailure(err, ref, "read", this.router);
    }
  }

  /** The object, or undefined when it does not exist (a missing kind still throws). */
  async find(ref: ObjectRef): Promise<KubeObject | undefined> {
    try {
      return (await this.api.getNamespacedCustomObject({ ...this.path(ref), name: ref.name })) as KubeObject;
    } catch (err) {
      if (isMissingObject(err)) return undefined;
      throw routingFailure(err, ref, "read", this.router);
    }
  }

  /** Writes `body` over the object; `body.metadata.resourceVersion` must be the one read. */
  async replace(ref: ObjectRef, body: KubeObject): Promise<void> {
    await this.opts.beforeWrite?.(ref);
    try {
      await this.api.replaceNamespacedCustomObject({
        ...this.path(ref),
        name: ref.name,
        body,
        fieldManager: FIELD_MANAGER,
      });
    } catch (err) {
      throw routingFailure(err, ref, "replace", this.router);
    }
  }

  async create(ref: ObjectRef, body: KubeObject): Promise<void> {
    await this.opts.beforeWrite?.(ref);
    try {
      await this.api.createNamespacedCustomObject({ ...this.path(ref), body, fieldManager: FIELD_MANAGER });
    } catch (err) {
      throw routingFailure(err, ref, "create", this.router);
    }
  }

  /** Deletes the object if it is still at `resourceVersion`; an object already gone is fine. */
  async delete(ref: ObjectRef, resourceVersion: string | undefined): Promise<void> {
    await this.opts.beforeWrite?.(ref);
    try {
      await this.api.deleteNamespacedCustomObject({
        ...this.path(ref),
        name: ref.name,
        body: resourceVersion === undefined ? {} : { preconditions: { resourceVersion } },
      });
    } catch (err) {
      if (isMissingObject(err)) return;
      throw routingFailure(err, ref, "delete", this.router);
    }
  }
}

/** Writes `next` only when it differs from `current`, so a level-based call that changes nothing makes no write. */
export async function replaceIfChanged(
  objects: RouteObjects,
  ref: ObjectRef,
  current: KubeObject,
  next: KubeObject,
): Promise<void> {
  if (isDeepStrictEqual(current, next)) return;
  await objects.replace(ref, next);
}
