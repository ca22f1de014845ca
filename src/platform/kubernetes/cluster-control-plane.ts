import { isDeepStrictEqual } from "node:util";
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from "@kubernetes/client-node";
import type { RolloutCommand } from "../../engine/types.js";
import { ManifestError, ValidationError } from "../../model/errors.js";
import type { AnalysisRun, Rollout, WorkloadTemplate } from "../../model/index.js";
import { RESOURCE_KINDS } from "../../model/validate.js";
import {
  type ApplyResult,
  type ChangeNotice,
  type ControlPlane,
  type EventRecord,
  NotFoundError,
  type PipelineRequest,
  type RecordedEntry,
  type Resource,
  type ResourceKind,
} from "../../ports/control-plane.js";
import type { RecordFilter } from "../../ports/pipeline-store.js";
import { specOf, validateForApply } from "../apply-validation.js";
import { apiErrorCode, apiErrorMessage } from "./api-errors.js";
import { clusterRecord, requestByApproval } from "./cluster-pipelines.js";
import { commandRollout, terminateRunInCluster } from "./commands.js";
import { pluralOf, SLUICE_GROUP, SLUICE_VERSION } from "./crds.js";
import { toResource } from "./objects.js";

const apply = setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply);
const FIELD_MANAGER = "sluice-cli";

/** A request to the cluster failed; the message names the object and quotes the API server. */
export class ClusterRequestError extends Error {
  override readonly name = "ClusterRequestError";
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * What the CLI's verbs do against a cluster: the same operations as the local controller's API,
 * carried out on Sluice's custom resources in one namespace. The controller in the cluster acts
 * on what this writes.
 */
export class ClusterControlPlane implements ControlPlane {
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;

  constructor(
    private readonly kc: KubeConfig,
    readonly namespace: string,
    private readonly templates?: (rollout: Rollout) => Promise<Record<string, WorkloadTemplate>>,
  ) {
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.core = kc.makeApiClient(CoreV1Api);
  }

  /**
   * A person's request becomes a PipelineApproval created with the caller's own credentials; the
   * controller in the cluster records it (or refuses it) and this returns its record entry.
   */
  async pipelineRequest(pipeline: string, request: PipelineRequest): Promise<RecordedEntry> {
    return requestByApproval(this.kc, this.namespace, pipeline, request);
  }

  /** The record as the Pipeline's status holds it (its newest entries). */
  async pipelineRecord(pipeline: string, filter?: RecordFilter): Promise<RecordedEntry[]> {
    try {
      return await clusterRecord(this.kc, this.namespace, pipeline, filter);
    } catch (err) {
      if (apiErrorCode(err) === 404) throw new NotFoundError("Pipeline", pipeline);
      throw err;
    }
  }

  /** Validates everything as the local controller does, then server-side applies each object. */
  async apply(documents: unknown[], opts: { dryRun?: boolean; source?: string } = {}): Promise<ApplyResult[]> {
    const source = opts.source ?? "request";
    const known = new Set<string>();
    for (const kind of ["AnalysisTemplate", "ClusterAnalysisTemplate"] as const)
      for (const t of await this.list(kind)) known.add(`${kind}/${t.metadata.name}`);
    const parsed = validateForApply(documents, source, {
      cluster: true,
      exists: (kind, name) => known.has(`${kind}/${name}`),
      admit: (r) =>
        r.spec.template.process
          ? [
              {
                path: "spec.template.process",
                message: "a process template runs only on the local platform; use spec.template.spec (a pod spec)",
              },
            ]
          : [],
    });
    const elsewhere = parsed.filter(
      (r) => !this.clusterScoped(r.kind) && r.metadata.namespace && r.metadata.namespace !== this.namespace,
    );
    if (elsewhere.length > 0)
      throw new ValidationError(
        elsewhere.map(
          (r) =>
            new ManifestError({
              file: source,
              path: `${r.kind} ${r.metadata.name}: metadata.namespace`,
              message: `is "${r.metadata.namespace}" but the command acts on "${this.namespace}"; pass -n ${r.metadata.namespace}`,
            }),
        ),
      );
    const results: ApplyResult[] = [];
    for (const resource of parsed) {
      const name = resource.metadata.name;
      const existing = await this.get(resource.kind, name);
      const { status: _status, ...body } = resource as Resource & { status?: unknown };
      const metadata = {
        ...resource.metadata,
        ...(this.clusterScoped(resource.kind) ? {} : { namespace: this.namespace }),
      };
      try {
        const request = {
          ...this.ref(resource.kind, name),
          body: { ...body, metadata },
          fieldManager: FIELD_MANAGER,
          force: true,
          ...(opts.dryRun ? { dryRun: "All" } : {}),
        };
        await (this.clusterScoped(resource.kind)
          ? this.custom.patchClusterCustomObject(request, apply)
          : this.custom.patchNamespacedCustomObject(request, apply));
      } catch (err) {
        throw new ValidationError([
          new ManifestError({ file: source, path: `${resource.kind} ${name}`, message: apiErrorMessage(err) }),
        ]);
      }
      const outcome: ApplyResult["outcome"] = !existing
        ? "created"
        : isDeepStrictEqual(specOf(existing), specOf(resource))
          ? "unchanged"
          : "configured";
      results.push({ kind: resource.kind, name, outcome });
    }
    return results;
  }

  async get(kind: ResourceKind, name: string): Promise<Resource | undefined> {
    try {
      const obj = (await (this.clusterScoped(kind)
        ? this.custom.getClusterCustomObject(this.ref(kind, name))
        : this.custom.getNamespacedCustomObject(this.ref(kind, name)))) as KubernetesObject;
      return toResource(kind, obj);
    } catch (err) {
      if (apiErrorCode(err) === 404) return undefined;
      throw this.failure(`read ${kind} ${name}`, err);
    }
  }

  async list(kind: ResourceKind): Promise<Resource[]> {
    const { name: _n, ...ref } = this.ref(kind, "");
    try {
      const list = (await (this.clusterScoped(kind)
        ? this.custom.listClusterCustomObject(ref)
        : this.custom.listNamespacedCustomObject(ref))) as { items: KubernetesObject[] };
      return list.items.flatMap((o) => {
        try {
          return [toResource(kind, o)];
        } catch {
          return [];
        }
      });
    } catch (err) {
      throw this.failure(`list ${pluralOf(kind)}`, err);
    }
  }

  async delete(kind: ResourceKind, name: string): Promise<boolean> {
    try {
      await (this.clusterScoped(kind)
        ? this.custom.deleteClusterCustomObject(this.ref(kind, name))
        : this.custom.deleteNamespacedCustomObject(this.ref(kind, name)));
      return true;
    } catch (err) {
      if (apiErrorCode(err) === 404) return false;
      throw this.failure(`delete ${kind} ${name}`, err);
    }
  }

  async command(name: string, command: RolloutCommand): Promise<Rollout> {
    return commandRollout(
      { kc: this.kc, namespace: this.namespace, ...(this.templates ? { templates: this.templates } : {}) },
      name,
      command,
    );
  }

  async revisionTemplates(rollout: string): Promise<Record<string, WorkloadTemplate>> {
    const found = (await this.get("Rollout", rollout)) as Rollout | undefined;
    if (!found) throw new NotFoundError("Rollout", rollout);
    return this.templates ? this.templates(found) : {};
  }

  async terminateAnalysisRun(name: string, opts: { reason?: string } = {}): Promise<AnalysisRun> {
    return terminateRunInCluster({ kc: this.kc, namespace: this.namespace }, name, opts.reason);
  }

  /** The Kubernetes Events on Sluice's objects (the controller writes one per engine event). */
  async events(filter: { kind?: ResourceKind; name?: string; sinceId?: number; limit?: number } = {}) {
    const selectors = [
      filter.kind ? `involvedObject.kind=${filter.kind}` : "",
      filter.name ? `involvedObject.name=${filter.name}` : "",
    ].filter(Boolean);
    const list = await this.core.listNamespacedEvent({
      namespace: this.namespace,
      ...(selectors.length ? { fieldSelector: selectors.join(",") } : {}),
    });
    const records: EventRecord[] = list.items
      .filter((e) => e.involvedObject.apiVersion?.startsWith(`${SLUICE_GROUP}/`))
      .map((e) => ({
        id: Number(e.metadata.resourceVersion ?? 0),
        kind: e.involvedObject.kind as ResourceKind,
        name: e.involvedObject.name ?? "",
        type: (e.type === "Warning" ? "Warning" : "Normal") as EventRecord["type"],
        reason: e.reason ?? "",
        message: e.message ?? "",
        time: new Date(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? 0).toISOString(),
      }))
      .filter((e) => filter.sinceId === undefined || e.id > filter.sinceId)
      .sort((a, b) => a.time.localeCompare(b.time) || a.id - b.id);
    return filter.limit === undefined ? records : records.slice(-filter.limit);
  }

  /** Calls back on every change of a Sluice object or Event in the namespace; returns the unsubscribe function. */
  subscribe(listener: (change: ChangeNotice) => void): () => void {
    const watch = new Watch(this.kc);
    const aborts: AbortController[] = [];
    let closed = false;
    for (const kind of RESOURCE_KINDS) {
      if (this.clusterScoped(kind)) continue;
      const path = `/apis/${SLUICE_GROUP}/${SLUICE_VERSION}/namespaces/${this.namespace}/${pluralOf(kind)}`;
      watch
        .watch(
          path,
          {},
          (type, obj: KubernetesObject) => {
            if (closed) return;
            const name = obj.metadata?.name ?? "";
            if (type === "DELETED") listener({ type: "deleted", kind, name });
            else
              try {
                listener({ type: "status", kind, name, resource: toResource(kind, obj) });
              } catch {
                // An object Sluice's schema refuses has nothing to show.
              }
          },
          () => {},
        )
        .then(
          // A watch that opens after unsubscribe must not keep the process alive.
          (a) => (closed ? a.abort() : aborts.push(a)),
          () => {},
        );
    }
    return () => {
      closed = true;
      for (const a of aborts) a.abort();
    };
  }

  private clusterScoped(kind: ResourceKind): boolean {
    return kind === "ClusterAnalysisTemplate";
  }

  private ref(kind: ResourceKind, name: string) {
    return {
      group: SLUICE_GROUP,
      version: SLUICE_VERSION,
      plural: pluralOf(kind),
      name,
      namespace: this.namespace,
    };
  }

  private failure(what: string, err: unknown): ClusterRequestError {
    const server = this.kc.getCurrentCluster()?.server ?? "the cluster";
    const code = apiErrorCode(err);
    const hint =
      code === 401 || code === 403
        ? "; check the kubeconfig's credentials and RBAC"
        : code === undefined
          ? `; is ${server} reachable?`
          : "";
    return new ClusterRequestError(
      `could not ${what} in ${this.namespace} (${server}): ${apiErrorMessage(err)}${hint}`,
      code,
      {
        cause: err,
      },
    );
  }
}
