import {
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import type { RolloutEvent } from "../../engine/types.js";
import type { AnalysisRun, Pipeline, PipelineStage, RecordEntry, Release, Rollout } from "../../model/index.js";
import type { EventRecord, RecordedEntry } from "../../ports/control-plane.js";
import type {
  PendingRequest,
  PipelineStore,
  RecordFilter,
  SettledRequest,
  StageReach,
} from "../../ports/pipeline-store.js";
import { apiErrorCode, apiErrorMessage } from "./api-errors.js";
import type { RemoteStages, RemoteTarget } from "./clusters/remote-stages.js";
import { pluralOf, SLUICE_GROUP, SLUICE_VERSION } from "./crds.js";
import { isNewer, toResource } from "./objects.js";
import {
  type ApprovalPolicy,
  appendToStatus,
  approvalStatus,
  filterRecord,
  type KubePipelineStatus,
  parseApproval,
  pendingApprovals,
  plannerView,
  withPlannerView,
} from "./pipeline-status.js";
import { type KubeResourceStore, KubeStoreError, type ObjectCache } from "./resource-store.js";

export interface KubePipelineStoreOptions {
  kc: KubeConfig;
  /** The pipelines' namespace; a stage's rollout lives in `stage.namespace`, or here. */
  namespace: string;
  /** The namespace's store: Pipelines, Releases and AnalysisRuns come from it, and Events go through it. */
  resources: KubeResourceStore;
  /** Raw caches: Pipelines (their status holds the record), Rollouts of every namespace, approvals. */
  caches: { Pipeline: ObjectCache; Rollout: ObjectCache; PipelineApproval: ObjectCache };
  /** The requester policy as the cluster has it now (undefined: not installed). */
  policy: () => ApprovalPolicy | undefined;
  now?: () => Date;
  fieldManager?: string;
  onError?: (message: string, err: unknown) => void;
  /** Stages in other clusters (`stage.cluster`); without it, such stages are unreachable. */
  remote?: RemoteStages;
}

const json = setHeaderOptions("Content-Type", PatchStrategy.JsonPatch);

/**
 * Pipelines on Kubernetes. The record lives in the Pipeline's status (bounded, with a sequence
 * counter), written only here through the status subresource with the resourceVersion as a
 * precondition, so two writers can never interleave entries. People's requests are PipelineApproval
 * objects; each is counted once, by uid, in the same write as its record entry.
 */
export class KubePipelineStore implements PipelineStore {
  private readonly custom: CustomObjectsApi;
  /** Objects this store wrote, until the informer shows the same or a newer version. */
  private readonly written = new Map<string, KubernetesObject>();

  constructor(private readonly opts: KubePipelineStoreOptions) {
    this.custom = opts.kc.makeApiClient(CustomObjectsApi);
  }

  pipelines(): Pipeline[] {
    return this.opts.caches.Pipeline.list(this.opts.namespace).flatMap(
      (o) => this.pipeline(o.metadata?.name ?? "") ?? [],
    );
  }

  pipeline(name: string): Pipeline | undefined {
    const raw = this.rawPipeline(name);
    if (!raw) return undefined;
    const { status, ...rest } = raw as KubernetesObject & { status?: KubePipelineStatus };
    const view = plannerView(status);
    try {
      return toResource("Pipeline", { ...rest, ...(view ? { status: view } : {}) }) as Pipeline;
    } catch (err) {
      this.opts.onError?.(`pipeline ${this.opts.namespace}/${name} skipped`, err);
      return undefined;
    }
  }

  stageRollout(pipeline: Pipeline, stage: PipelineStage): Rollout | undefined {
    const namespace = stage.namespace ?? this.opts.namespace;
    const target = this.target(stage);
    const raw = target
      ? this.opts.remote?.rollout(target, stage.rollout)
      : this.fresh(`Rollout/${namespace}/${stage.rollout}`, this.opts.caches.Rollout.get(stage.rollout, namespace));
    if (!raw) return undefined;
    try {
      return toResource("Rollout", raw) as Rollout;
    } catch (err) {
      this.opts.onError?.(`stage ${stage.name} of pipeline ${pipeline.metadata.name}: rollout skipped`, err);
      return undefined;
    }
  }

  stageReach(_pipeline: Pipeline, stage: PipelineStage): StageReach | undefined {
    const target = this.target(stage);
    if (!target) return undefined;
    return (
      this.opts.remote?.reach(target) ?? {
        cluster: target.cluster,
        reachable: false,
        error: "this controller was started without access to other clusters",
      }
    );
  }

  async refreshStages(pipeline: Pipeline): Promise<void> {
    const targets = pipeline.spec.stages.flatMap((s) => this.target(s) ?? []);
    if (targets.length > 0) await this.opts.remote?.refresh(targets);
  }

  /** Where a stage in another cluster lives; undefined for a stage in this cluster. */
  private target(stage: PipelineStage): RemoteTarget | undefined {
    if (stage.cluster === undefined) return undefined;
    return { cluster: stage.cluster, namespace: stage.namespace ?? this.opts.namespace };
  }

  release(name: string): Release | undefined {
    return this.opts.resources.getResource("Release", name) as Release | undefined;
  }

  releases(): Release[] {
    return this.opts.resources.listResources("Release") as Release[];
  }

  runs(): AnalysisRun[] {
    return this.opts.resources.listResources("AnalysisRun") as AnalysisRun[];
  }

  record(pipeline: string, filter?: RecordFilter): RecordedEntry[] {
    return filterRecord(this.status(pipeline)?.record ?? [], filter);
  }

  async append(
    pipeline: string,
    entries: readonly RecordEntry[],
    events: RolloutEvent[],
    settled: readonly SettledRequest[] = [],
  ): Promise<{ entries: RecordedEntry[]; events: EventRecord[] }> {
    let recorded: RecordedEntry[] = [];
    if (entries.length > 0 || settled.length > 0) {
      const next = appendToStatus(
        this.status(pipeline),
        entries,
        settled.map((s) => s.id),
      );
      await this.writeStatus(pipeline, next.status);
      recorded = next.recorded;
      // The approvals say what became of them; the Pipeline's settled list already guards against a second count.
      const now = this.now();
      for (const s of settled) {
        const entry = s.entry ? recorded[entries.indexOf(s.entry)] : undefined;
        await this.settleApproval(s, approvalStatus(s, entry, now));
      }
    }
    const all = [...events, ...settled.map((s) => settledEvent(s, recorded, entries))];
    const records = all.length > 0 ? await this.opts.resources.appendEvents("Pipeline", pipeline, all) : [];
    return { entries: recorded, events: records };
  }

  async commitStatus(pipeline: string, status: unknown, events: RolloutEvent[]): Promise<EventRecord[]> {
    await this.writeStatus(pipeline, withPlannerView(this.status(pipeline), status as object));
    return events.length > 0 ? this.opts.resources.appendEvents("Pipeline", pipeline, events) : [];
  }

  async putStageRollout(pipeline: Pipeline, stage: PipelineStage, rollout: Rollout): Promise<void> {
    const namespace = stage.namespace ?? this.opts.namespace;
    const name = stage.rollout;
    const target = this.target(stage);
    if (target) {
      if (!this.opts.remote)
        throw new KubeStoreError(`stage ${stage.name}: ${this.stageReach(pipeline, stage)?.error}`);
      // The target's own controller carries the change out; the hub only writes the spec.
      await this.opts.remote.apply(target, name, rollout.spec, rollout.metadata.annotations ?? {});
      return;
    }
    const body = [
      { op: "test", path: "/metadata/resourceVersion", value: rollout.metadata.resourceVersion },
      { op: "replace", path: "/spec", value: rollout.spec },
      // The base template the release was applied to, so the next release starts from it too.
      { op: "add", path: "/metadata/annotations", value: rollout.metadata.annotations ?? {} },
    ];
    try {
      const stored = (await this.custom.patchNamespacedCustomObject(
        { ...this.ref("Rollout", namespace), name, body, fieldManager: this.fieldManager() },
        json,
      )) as KubernetesObject;
      this.written.set(`Rollout/${namespace}/${name}`, stored);
    } catch (err) {
      throw failure(`apply pipeline ${pipeline.metadata.name}'s release to rollout ${namespace}/${name}`, err);
    }
  }

  pendingRequests(pipeline: Pipeline): PendingRequest[] {
    const approvals = this.opts.caches.PipelineApproval.list(this.opts.namespace).flatMap(
      (o) => parseApproval(o) ?? [],
    );
    const settled = new Set(this.status(pipeline.metadata.name)?.settled ?? []);
    return pendingApprovals(pipeline.metadata.name, approvals, settled, this.opts.policy());
  }

  private status(pipeline: string): KubePipelineStatus | undefined {
    return (this.rawPipeline(pipeline) as { status?: KubePipelineStatus } | undefined)?.status;
  }

  private rawPipeline(name: string): KubernetesObject | undefined {
    const ns = this.opts.namespace;
    return this.fresh(`Pipeline/${ns}/${name}`, this.opts.caches.Pipeline.get(name, ns));
  }

  /** The cached object, or what this store wrote when the cache has not caught up with it. */
  private fresh(key: string, cached: KubernetesObject | undefined): KubernetesObject | undefined {
    const mine = this.written.get(key);
    if (!mine) return cached;
    if (!cached) return undefined;
    if (!isNewer(mine.metadata?.resourceVersion, cached.metadata?.resourceVersion)) {
      this.written.delete(key);
      return cached;
    }
    return mine;
  }

  private async writeStatus(pipeline: string, status: KubePipelineStatus): Promise<void> {
    const ns = this.opts.namespace;
    const current = this.rawPipeline(pipeline);
    if (!current) throw new KubeStoreError(`Pipeline ${ns}/${pipeline} is gone; nothing to record`);
    // The resourceVersion test makes a write based on a stale read fail (and the loop retry) rather than drop entries.
    const body = [
      { op: "test", path: "/metadata/resourceVersion", value: current.metadata?.resourceVersion },
      { op: "add", path: "/status", value: status },
    ];
    try {
      const stored = (await this.custom.patchNamespacedCustomObjectStatus(
        { ...this.ref("Pipeline", ns), name: pipeline, body, fieldManager: this.fieldManager() },
        json,
      )) as KubernetesObject;
      this.written.set(`Pipeline/${ns}/${pipeline}`, stored);
    } catch (err) {
      throw failure(`record pipeline ${ns}/${pipeline}'s status`, err);
    }
  }

  private async settleApproval(s: SettledRequest, status: unknown): Promise<void> {
    const ns = this.opts.namespace;
    const approval = this.opts.caches.PipelineApproval.list(ns).find((o) => o.metadata?.uid === s.id);
    const name = approval?.metadata?.name;
    if (!name) return;
    await this.custom
      .patchNamespacedCustomObjectStatus(
        {
          ...this.ref("PipelineApproval", ns),
          name,
          body: [{ op: "add", path: "/status", value: status }],
          fieldManager: this.fieldManager(),
        },
        json,
      )
      .catch((err: unknown) => this.opts.onError?.(`could not mark approval ${ns}/${name} settled`, err));
  }

  private ref(kind: "Pipeline" | "Rollout" | "PipelineApproval", namespace: string) {
    return { group: SLUICE_GROUP, version: SLUICE_VERSION, plural: pluralOf(kind), namespace };
  }

  private fieldManager(): string {
    return this.opts.fieldManager ?? "sluice-controller";
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }
}

/** The Event that tells `kubectl describe pipeline` what became of an approval, naming its requester. */
function settledEvent(
  s: SettledRequest,
  recorded: readonly RecordedEntry[],
  entries: readonly RecordEntry[],
): RolloutEvent {
  const entry = s.entry ? recorded[entries.indexOf(s.entry)] : undefined;
  if (entry)
    return {
      type: "Normal",
      reason: `Request${entry.type}`,
      message: `${entry.actor} ${entry.type.toLowerCase()} ${entry.release}${entry.stage ? ` for ${entry.stage}` : ""}: ${entry.reason}`,
      actor: entry.actor,
    };
  return { type: "Warning", reason: "RequestRefused", message: s.refusal ?? "refused" };
}

function failure(what: string, err: unknown): KubeStoreError {
  const code = apiErrorCode(err);
  return new KubeStoreError(`could not ${what}${code ? ` (HTTP ${code})` : ""}: ${apiErrorMessage(err)}`, {
    cause: err,
  });
}
