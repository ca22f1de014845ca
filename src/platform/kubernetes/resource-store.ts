import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import type { RolloutEvent } from "../../engine/types.js";
import type { Rollout, WorkloadTemplate } from "../../model/index.js";
import type { EventRecord, Resource, ResourceKind } from "../../ports/control-plane.js";
import type { ControllerStore } from "../../ports/controller-store.js";
import { apiErrorCode, apiErrorMessage } from "./api-errors.js";
import { pluralOf, SLUICE_GROUP, SLUICE_VERSION } from "./crds.js";
import { kubeEvent } from "./events.js";
import { isNewer, ObjectConversionError, toApiStatus, toResource } from "./objects.js";

/** What the store reads from: an informer's cache of one kind. */
export interface ObjectCache {
  list(namespace?: string): KubernetesObject[];
  get(name: string, namespace?: string): KubernetesObject | undefined;
}

/** The Kubernetes API refused or failed a write; the controller retries the reconcile. */
export class KubeStoreError extends Error {
  override readonly name = "KubeStoreError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface KubeResourceStoreOptions {
  kc: KubeConfig;
  namespace: string;
  caches: Record<ResourceKind, ObjectCache>;
  /** The templates of a rollout's revisions, read back from its ReplicaSets (undo needs them). */
  templates: (rollout: Rollout) => Promise<Record<string, WorkloadTemplate>>;
  /** Objects in the cache that Sluice's schema refuses are skipped and reported here. */
  onInvalid?: (message: string) => void;
  fieldManager?: string;
  /** This controller replica, recorded as the reporting instance of each Event it writes. */
  identity?: string;
  /** Events kept in memory for `events()` (Kubernetes Events are the durable record). */
  eventLimit?: number;
}

const CLUSTER_SCOPED: ReadonlySet<ResourceKind> = new Set(["ClusterAnalysisTemplate"]);
const json = setHeaderOptions("Content-Type", PatchStrategy.JsonPatch);

/**
 * The controller's store on Kubernetes, for one namespace. Reads come from informer caches,
 * overlaid with what this store wrote last, so a reconcile never sees its own write undone by a
 * cache that has not caught up. Status goes through the status subresource; each engine event
 * becomes a Kubernetes Event on the object.
 */
export class KubeResourceStore implements ControllerStore {
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly fieldManager: string;
  /** What this store wrote, by kind/name, until the informer shows the same or a newer version. */
  private readonly written = new Map<string, Resource>();
  private readonly deleted = new Set<string>();
  private readonly eventLog: EventRecord[] = [];
  private nextEventId = 1;

  constructor(private readonly opts: KubeResourceStoreOptions) {
    this.custom = opts.kc.makeApiClient(CustomObjectsApi);
    this.core = opts.kc.makeApiClient(CoreV1Api);
    this.fieldManager = opts.fieldManager ?? "sluice-controller";
  }

  getResource(kind: ResourceKind, name: string): Resource | undefined {
    const key = `${kind}/${name}`;
    const cached = this.fromCache(kind, this.opts.caches[kind].get(name, this.nsOf(kind)));
    if (this.deleted.has(key)) {
      if (cached) return undefined;
      this.deleted.delete(key);
    }
    const mine = this.written.get(key);
    if (!mine) return cached;
    if (cached && !isNewer(mine.metadata.resourceVersion, cached.metadata.resourceVersion)) {
      this.written.delete(key);
      return cached;
    }
    return mine;
  }

  listResources(kind: ResourceKind): Resource[] {
    const names = new Set<string>();
    for (const obj of this.opts.caches[kind].list(this.nsOf(kind)))
      if (obj.metadata?.name) names.add(obj.metadata.name);
    for (const key of this.written.keys()) if (key.startsWith(`${kind}/`)) names.add(key.slice(kind.length + 1));
    return [...names].flatMap((n) => this.getResource(kind, n) ?? []);
  }

  async putResource(resource: Resource): Promise<Resource> {
    const { kind } = resource;
    const name = resource.metadata.name;
    const existing = this.getResource(kind, name);
    try {
      let stored: KubernetesObject;
      if (!existing) {
        const { status: _status, ...body } = resource as Resource & { status?: unknown };
        stored = await this.create(kind, { ...body, metadata: this.newMetadata(resource) });
      } else {
        stored = await this.call(kind, name, "patch", [{ op: "replace", path: "/spec", value: resource.spec }]);
      }
      const status = (resource as { status?: unknown }).status;
      if (status !== undefined && kind !== "AnalysisTemplate" && kind !== "ClusterAnalysisTemplate")
        stored = await this.writeStatus(kind, name, resource, status);
      return this.remember(kind, stored);
    } catch (err) {
      throw this.failure(`store ${kind} ${this.opts.namespace}/${name}`, err);
    }
  }

  async deleteResource(kind: ResourceKind, name: string): Promise<boolean> {
    try {
      await this.call(kind, name, "delete");
    } catch (err) {
      if (apiErrorCode(err) === 404) return false;
      throw this.failure(`delete ${kind} ${this.opts.namespace}/${name}`, err);
    }
    this.written.delete(`${kind}/${name}`);
    this.deleted.add(`${kind}/${name}`);
    return true;
  }

  async commitStatus(
    kind: ResourceKind,
    name: string,
    status: unknown,
    events: RolloutEvent[],
  ): Promise<EventRecord[]> {
    const resource = this.getResource(kind, name);
    if (!resource) throw new KubeStoreError(`${kind} ${this.opts.namespace}/${name} is gone; nothing to update`);
    try {
      this.remember(kind, await this.writeStatus(kind, name, resource, status));
    } catch (err) {
      throw this.failure(`update the status of ${kind} ${this.opts.namespace}/${name}`, err);
    }
    return this.logEvents(resource, events);
  }

  async appendEvents(kind: ResourceKind, name: string, events: RolloutEvent[]): Promise<EventRecord[]> {
    const resource = this.getResource(kind, name);
    if (!resource) throw new KubeStoreError(`${kind} ${this.opts.namespace}/${name} is gone; no event recorded`);
    return this.logEvents(resource, events);
  }

  private async logEvents(resource: Resource, events: RolloutEvent[]): Promise<EventRecord[]> {
    const { kind } = resource;
    const { name } = resource.metadata;
    const time = new Date().toISOString();
    const records = events.map((e) => ({ ...e, id: this.nextEventId++, kind, name, time }));
    this.eventLog.push(...records);
    this.eventLog.splice(0, Math.max(0, this.eventLog.length - (this.opts.eventLimit ?? 1_000)));
    // Events are a record for people; losing one must not fail the reconcile that caused it.
    await Promise.all(records.map((r) => this.recordEvent(resource, r).catch(() => undefined)));
    return records;
  }

  listEvents(filter: { kind?: ResourceKind; name?: string; sinceId?: number; limit?: number } = {}): EventRecord[] {
    const out = this.eventLog.filter(
      (e) =>
        (filter.kind === undefined || e.kind === filter.kind) &&
        (filter.name === undefined || e.name === filter.name) &&
        (filter.sinceId === undefined || e.id > filter.sinceId),
    );
    return filter.limit === undefined ? out : out.slice(-filter.limit);
  }

  async getTemplates(rollout: string): Promise<Record<string, WorkloadTemplate>> {
    const r = this.getResource("Rollout", rollout) as Rollout | undefined;
    return r ? this.opts.templates(r) : {};
  }

  private nsOf(kind: ResourceKind): string | undefined {
    return CLUSTER_SCOPED.has(kind) ? undefined : this.opts.namespace;
  }

  private fromCache(kind: ResourceKind, obj: KubernetesObject | undefined): Resource | undefined {
    if (!obj) return undefined;
    try {
      return toResource(kind, obj);
    } catch (err) {
      if (err instanceof ObjectConversionError) {
        this.opts.onInvalid?.(err.message);
        return undefined;
      }
      throw err;
    }
  }

  private newMetadata(resource: Resource): Record<string, unknown> {
    const { resourceVersion: _rv, uid: _uid, generation: _g, creationTimestamp: _c, ...meta } = resource.metadata;
    const out: Record<string, unknown> = { ...meta };
    if (!CLUSTER_SCOPED.has(resource.kind)) out.namespace = this.opts.namespace;
    // An analysis run belongs to its rollout: Kubernetes deletes it with the rollout.
    const owner = resource.metadata.labels?.["sluice.dev/rollout"];
    const ownerRollout = owner ? this.getResource("Rollout", owner) : undefined;
    if (resource.kind === "AnalysisRun" && ownerRollout?.metadata.uid)
      out.ownerReferences = [
        {
          apiVersion: `${SLUICE_GROUP}/${SLUICE_VERSION}`,
          kind: "Rollout",
          name: owner,
          uid: ownerRollout.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ];
    return out;
  }

  private remember(kind: ResourceKind, obj: KubernetesObject): Resource {
    const resource = toResource(kind, obj);
    this.written.set(`${kind}/${resource.metadata.name}`, resource);
    this.deleted.delete(`${kind}/${resource.metadata.name}`);
    return resource;
  }

  private writeStatus(
    kind: ResourceKind,
    name: string,
    resource: Resource,
    status: unknown,
  ): Promise<KubernetesObject> {
    const value = toApiStatus(kind, resource, status);
    return this.call(kind, name, "patchStatus", [{ op: "add", path: "/status", value }]);
  }

  private async create(kind: ResourceKind, body: object): Promise<KubernetesObject> {
    const common = { group: SLUICE_GROUP, version: SLUICE_VERSION, plural: pluralOf(kind), body };
    return (await (CLUSTER_SCOPED.has(kind)
      ? this.custom.createClusterCustomObject({ ...common, fieldManager: this.fieldManager })
      : this.custom.createNamespacedCustomObject({
          ...common,
          namespace: this.opts.namespace,
          fieldManager: this.fieldManager,
        }))) as KubernetesObject;
  }

  private async call(
    kind: ResourceKind,
    name: string,
    verb: "patch" | "patchStatus" | "delete",
    body?: object,
  ): Promise<KubernetesObject> {
    const p = { group: SLUICE_GROUP, version: SLUICE_VERSION, plural: pluralOf(kind), name };
    const ns = { ...p, namespace: this.opts.namespace };
    const fm = { fieldManager: this.fieldManager };
    const cluster = CLUSTER_SCOPED.has(kind);
    switch (verb) {
      case "patch":
        return (await (cluster
          ? this.custom.patchClusterCustomObject({ ...p, ...fm, body }, json)
          : this.custom.patchNamespacedCustomObject({ ...ns, ...fm, body }, json))) as KubernetesObject;
      case "patchStatus":
        return (await (cluster
          ? this.custom.patchClusterCustomObjectStatus({ ...p, ...fm, body }, json)
          : this.custom.patchNamespacedCustomObjectStatus({ ...ns, ...fm, body }, json))) as KubernetesObject;
      case "delete":
        return (await (cluster
          ? this.custom.deleteClusterCustomObject(p)
          : this.custom.deleteNamespacedCustomObject(ns))) as KubernetesObject;
    }
  }

  private async recordEvent(resource: Resource, e: EventRecord): Promise<void> {
    const namespace = this.nsOf(resource.kind) ?? "default";
    const reporter = { component: this.fieldManager, ...(this.opts.identity ? { instance: this.opts.identity } : {}) };
    await this.core.createNamespacedEvent({
      namespace,
      body: kubeEvent(resource, namespace, e, reporter, new Date(e.time)),
    });
  }

  private failure(what: string, err: unknown): KubeStoreError {
    const code = apiErrorCode(err);
    const detail = apiErrorMessage(err);
    return new KubeStoreError(`could not ${what}${code ? ` (HTTP ${code})` : ""}: ${detail}`, { cause: err });
  }
}
