import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
  type V1ReplicaSet,
} from "@kubernetes/client-node";
import { BASELINE_SUFFIX } from "../../engine/baseline.js";
import type { Action, Observation, TrafficSpec } from "../../engine/types.js";
import type { Rollout, WorkloadTemplate } from "../../model/index.js";
import { type Platform, PlatformError } from "../port.js";
import { describeApiError } from "./api-errors.js";
import { revisionObservation } from "./pod-health.js";
import {
  buildReplicaSet,
  HASH_LABEL,
  hashOf,
  ReplicaSetTemplateError,
  ROLLOUT_LABEL,
  replicaSetName,
  revisionSelector,
  rolloutLabelSelector,
  templateOf,
} from "./replicasets.js";
import type { ObjectCache } from "./resource-store.js";
import { podToRestart } from "./restart.js";
import type { RouterTargets, TrafficRouter } from "./routers/port.js";
import { pointServices, servicePointers, trafficRoles } from "./services.js";

/** The ReplicaSet calls the platform makes. */
export type ReplicaSetClient = Pick<
  AppsV1Api,
  | "listNamespacedReplicaSet"
  | "readNamespacedReplicaSet"
  | "createNamespacedReplicaSet"
  | "patchNamespacedReplicaSet"
  | "deleteNamespacedReplicaSet"
>;
/** The pod and Service calls the platform makes. */
export type CoreClient = Pick<
  CoreV1Api,
  "listNamespacedPod" | "patchNamespacedService" | "createNamespacedPodEviction"
>;

export interface KubernetesPlatformOptions {
  kc: KubeConfig;
  /** Namespace of rollouts whose metadata names none. */
  namespace: string;
  /** The traffic router of a rollout (from spec.strategy.canary.trafficRouting); undefined = Services only. */
  routerFor?: (rollout: Rollout) => TrafficRouter | undefined;
  /** Field manager of every write (default "sluice-controller"). */
  fieldManager?: string;
  /** Replaces the clients made from `kc` (tests). */
  clients?: { apps?: ReplicaSetClient; core?: CoreClient };
  /**
   * Informer caches of the ReplicaSets and pods Sluice owns. With them, `observe` reads memory
   * instead of listing both on every reconcile; a moment's lag is harmless, as every action is
   * level-based and the informer's change triggers another reconcile.
   */
  caches?: { replicaSets: ObjectCache; pods: ObjectList };
}

/** A cache of objects by namespace (an informer's). */
export interface ObjectList {
  list(namespace?: string): KubernetesObject[];
}

const mergePatch = () => setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const isCode = (err: unknown, code: number) => err instanceof ApiException && err.code === code;

/**
 * The Kubernetes platform: each revision is a ReplicaSet `<rollout>-<hash>`, the rollout's
 * Services are switched by the hash in their selector, and a traffic router, when the rollout has
 * one, splits traffic by weight. Analysis runs are the controller's business, not this platform's.
 */
export class KubernetesPlatform implements Platform {
  private readonly apps: ReplicaSetClient;
  private readonly core: CoreClient;
  private readonly fieldManager: string;
  private readonly routerErrors = new Map<string, string>();

  constructor(private readonly opts: KubernetesPlatformOptions) {
    this.apps = opts.clients?.apps ?? opts.kc.makeApiClient(AppsV1Api);
    this.core = opts.clients?.core ?? opts.kc.makeApiClient(CoreV1Api);
    this.fieldManager = opts.fieldManager ?? "sluice-controller";
  }

  async observe(rollout: Rollout): Promise<Observation> {
    try {
      const [sets, pods] = await Promise.all([this.replicaSets(rollout), this.pods(rollout)]);
      const podsByHash = new Map<string, V1Pod[]>();
      for (const pod of pods) {
        const hash = pod.metadata?.labels?.[HASH_LABEL];
        if (hash !== undefined) podsByHash.set(hash, [...(podsByHash.get(hash) ?? []), pod]);
      }
      const revisions = sets.flatMap((rs) => {
        const hash = hashOf(rs);
        return hash === undefined ? [] : [revisionObservation(hash, rs, podsByHash.get(hash) ?? [])];
      });
      const trafficError = this.trafficError(rollout);
      return {
        revisions: revisions.sort((a, b) => a.hash.localeCompare(b.hash)),
        // The engine pauses the rollout on it until the router succeeds again.
        ...(trafficError ? { trafficError: { message: trafficError } } : {}),
        // With no router, a Service selecting every revision splits by ready pods.
        ...(rollout.spec.strategy.canary && !rollout.spec.strategy.canary.trafficRouting
          ? { replicaRatioTraffic: true }
          : {}),
      };
    } catch (err) {
      throw new PlatformError(`could not observe rollout ${this.ref(rollout)}: ${describeApiError(err)}`, undefined, {
        cause: err,
      });
    }
  }

  async apply(rollout: Rollout, actions: Action[]): Promise<void> {
    for (const action of actions) {
      try {
        await this.applyOne(rollout, action);
      } catch (err) {
        if (err instanceof PlatformError && err.action) throw err;
        const message = err instanceof PlatformError ? err.message : `${action.type}: ${describeApiError(err)}`;
        const cause = err instanceof PlatformError ? (err.cause ?? err) : err;
        throw new PlatformError(`rollout ${this.ref(rollout)}: ${message}`, action, { cause });
      }
    }
  }

  async remove(rollout: Rollout): Promise<void> {
    this.routerErrors.delete(this.ref(rollout));
    try {
      const sets = await this.replicaSets(rollout);
      for (const rs of sets) {
        const hash = hashOf(rs);
        if (hash !== undefined) await this.deleteReplicaSet(rollout, hash);
      }
    } catch (err) {
      throw new PlatformError(`could not remove rollout ${this.ref(rollout)}: ${describeApiError(err)}`, undefined, {
        cause: err,
      });
    }
  }

  /**
   * The workload template of every revision that still has a ReplicaSet, by hash (what `undo`
   * returns to). A baseline is a copy of stable, not a revision one can return to.
   */
  async templates(rollout: Rollout): Promise<Record<string, WorkloadTemplate>> {
    const out: Record<string, WorkloadTemplate> = {};
    for (const rs of await this.replicaSets(rollout)) {
      const hash = hashOf(rs);
      const template = templateOf(rs);
      if (hash !== undefined && template && !hash.endsWith(BASELINE_SUFFIX)) out[hash] = template;
    }
    return out;
  }

  /** The last traffic router failure for this rollout; cleared when the router next succeeds. */
  trafficError(rollout: Rollout): string | undefined {
    return this.routerErrors.get(this.ref(rollout));
  }

  private async applyOne(rollout: Rollout, action: Action): Promise<void> {
    switch (action.type) {
      case "ensureRevision":
        return this.ensure(rollout, action.hash, action.replicas, action.template, action.restartAt);
      case "scaleRevision": {
        // A baseline runs the stable revision's template, read back from stable's ReplicaSet when
        // the baseline's own is still to be created (once it runs, it needs stable no more).
        const missing = async () =>
          !(await this.currentReplicaSet(
            this.namespaceOf(rollout),
            replicaSetName(rollout.metadata.name, action.hash),
          ));
        const template =
          action.copyOf !== undefined && action.replicas > 0 && (await missing())
            ? await this.templateOf(rollout, action.copyOf)
            : undefined;
        return this.ensure(rollout, action.hash, action.replicas, template, action.restartAt);
      }
      case "deleteRevision":
        return this.deleteReplicaSet(rollout, action.hash);
      case "setTraffic":
        return this.setTraffic(rollout, action.traffic);
      default:
        return; // analysis runs are the controller's business
    }
  }

  /** Creates the revision's ReplicaSet when a template is given and it is missing, and scales it. */
  private async ensure(
    rollout: Rollout,
    hash: string,
    replicas: number,
    template: WorkloadTemplate | undefined,
    restartAt: string | undefined,
  ): Promise<void> {
    const namespace = this.namespaceOf(rollout);
    const name = replicaSetName(rollout.metadata.name, hash);
    let rs = await this.currentReplicaSet(namespace, name);
    if (!rs) {
      if (!template) {
        if (replicas === 0) return;
        throw new PlatformError(`revision ${hash} has no ReplicaSet ${namespace}/${name} to scale to ${replicas}`);
      }
      rs = await this.createReplicaSet(rollout, hash, template, replicas);
    }
    const minReadySeconds = rollout.spec.minReadySeconds;
    const spec = rs.spec;
    if (spec?.replicas !== replicas || (spec?.minReadySeconds ?? 0) !== minReadySeconds)
      rs = await this.apps.patchNamespacedReplicaSet(
        { name, namespace, body: { spec: { replicas, minReadySeconds } }, fieldManager: this.fieldManager },
        mergePatch(),
      );
    if (restartAt !== undefined) await this.restartOne(rollout, hash, rs, restartAt);
  }

  private async createReplicaSet(
    rollout: Rollout,
    hash: string,
    template: WorkloadTemplate,
    replicas: number,
  ): Promise<V1ReplicaSet> {
    const namespace = this.namespaceOf(rollout);
    let body: V1ReplicaSet;
    try {
      body = buildReplicaSet(rollout, { hash, template, replicas, namespace });
    } catch (err) {
      if (err instanceof ReplicaSetTemplateError) throw new PlatformError(err.message, undefined, { cause: err });
      throw err;
    }
    try {
      return await this.apps.createNamespacedReplicaSet({ namespace, body, fieldManager: this.fieldManager });
    } catch (err) {
      // Another reconcile (or a controller that just lost its lease) created it first.
      if (!isCode(err, 409)) throw err;
      const existing = await this.readReplicaSet(namespace, body.metadata?.name ?? "");
      if (!existing) throw err;
      return existing;
    }
  }

  /** The template revision `hash`'s ReplicaSet runs; a missing ReplicaSet is a PlatformError naming it. */
  private async templateOf(rollout: Rollout, hash: string): Promise<WorkloadTemplate> {
    const namespace = this.namespaceOf(rollout);
    const name = replicaSetName(rollout.metadata.name, hash);
    const rs = await this.currentReplicaSet(namespace, name);
    const template = rs ? templateOf(rs) : undefined;
    if (!template)
      throw new PlatformError(`revision ${hash} has no ReplicaSet ${namespace}/${name} with a pod template to copy`);
    return template;
  }

  /** Evicts one pod created before `restartAt` (evictions honour PodDisruptionBudgets). */
  private async restartOne(rollout: Rollout, hash: string, rs: V1ReplicaSet, restartAt: string): Promise<void> {
    const namespace = this.namespaceOf(rollout);
    const selector = Object.entries(revisionSelector(rollout.metadata.name, hash))
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    const pods = (await this.core.listNamespacedPod({ namespace, labelSelector: selector })).items;
    const pod = podToRestart(rs, pods, restartAt);
    const name = pod?.metadata?.name;
    if (!name) return;
    try {
      await this.core.createNamespacedPodEviction({
        name,
        namespace,
        body: { apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace } },
      });
    } catch (err) {
      // Gone already, or a disruption budget says not now: the next reconcile tries again.
      if (!isCode(err, 404) && !isCode(err, 429)) throw err;
    }
  }

  private async deleteReplicaSet(rollout: Rollout, hash: string): Promise<void> {
    const namespace = this.namespaceOf(rollout);
    try {
      await this.apps.deleteNamespacedReplicaSet({
        name: replicaSetName(rollout.metadata.name, hash),
        namespace,
        propagationPolicy: "Background",
      });
    } catch (err) {
      if (!isCode(err, 404)) throw err;
    }
  }

  /** Services first, so a router never sends weight to a Service that does not select the canary yet. */
  private async setTraffic(rollout: Rollout, traffic: TrafficSpec): Promise<void> {
    const roles = trafficRoles(rollout, traffic);
    if (!roles) return;
    const namespace = this.namespaceOf(rollout);
    await pointServices(this.core, namespace, servicePointers(rollout, roles), this.fieldManager);

    const canary = rollout.spec.strategy.canary;
    const router = canary ? this.opts.routerFor?.(rollout) : undefined;
    if (!canary || !router) return;
    if (!canary.stableService || !canary.canaryService)
      throw new PlatformError(
        `traffic router ${router.name} needs spec.strategy.canary.stableService and spec.strategy.canary.canaryService`,
      );
    const targets: RouterTargets = {
      namespace,
      stableHash: roles.stable,
      canaryHash: roles.canary ?? roles.stable,
      stableService: canary.stableService,
      canaryService: canary.canaryService,
      ...(canary.baselineService ? { baselineService: canary.baselineService } : {}),
    };
    const key = this.ref(rollout);
    try {
      if (roles.canary === undefined) {
        await router.removeManagedRoutes(targets);
      } else {
        const forCanary = (r: { revision: string }) => r.revision === roles.canary;
        const baselineWeight = roles.baseline === undefined ? 0 : (traffic.weights[roles.baseline] ?? 0);
        await router.setWeight(targets, traffic.weights[roles.canary] ?? 0, baselineWeight);
        await router.setHeaderRoutes(
          targets,
          traffic.headerRoutes.filter(forCanary).map(({ name, match }) => ({ name, match })),
        );
        await router.setMirrorRoutes(
          targets,
          traffic.mirrorRoutes.filter(forCanary).map(({ name, match, percentage }) => ({ name, match, percentage })),
        );
      }
    } catch (err) {
      const message = `traffic router ${router.name}: ${describeApiError(err)}`;
      this.routerErrors.set(key, message);
      throw new PlatformError(message, undefined, { cause: err });
    }
    this.routerErrors.delete(key);
  }

  /**
   * The ReplicaSet as the informer last saw it, or from the API server when the informer has not
   * seen it yet. A stale copy costs at most one needless or late patch: the informer's next event
   * brings another reconcile, and the merge patch it sends does not depend on what was read.
   */
  private async currentReplicaSet(namespace: string, name: string): Promise<V1ReplicaSet | undefined> {
    const cached = this.opts.caches?.replicaSets.get(name, namespace) as V1ReplicaSet | undefined;
    return cached ?? this.readReplicaSet(namespace, name);
  }

  private async readReplicaSet(namespace: string, name: string): Promise<V1ReplicaSet | undefined> {
    try {
      return await this.apps.readNamespacedReplicaSet({ name, namespace });
    } catch (err) {
      if (isCode(err, 404)) return undefined;
      throw err;
    }
  }

  private async replicaSets(rollout: Rollout): Promise<V1ReplicaSet[]> {
    const namespace = this.namespaceOf(rollout);
    if (this.opts.caches) return this.cached(this.opts.caches.replicaSets, rollout) as V1ReplicaSet[];
    const list = await this.apps.listNamespacedReplicaSet({
      namespace,
      labelSelector: rolloutLabelSelector(rollout.metadata.name),
    });
    return list.items;
  }

  private async pods(rollout: Rollout): Promise<V1Pod[]> {
    const namespace = this.namespaceOf(rollout);
    if (this.opts.caches) return this.cached(this.opts.caches.pods, rollout) as V1Pod[];
    const list = await this.core.listNamespacedPod({
      namespace,
      labelSelector: rolloutLabelSelector(rollout.metadata.name),
    });
    return list.items;
  }

  private cached(cache: ObjectList, rollout: Rollout): KubernetesObject[] {
    return cache
      .list(this.namespaceOf(rollout))
      .filter((o) => o.metadata?.labels?.[ROLLOUT_LABEL] === rollout.metadata.name);
  }

  private namespaceOf(rollout: Rollout): string {
    return rollout.metadata.namespace ?? this.opts.namespace;
  }

  private ref(rollout: Rollout): string {
    return `${this.namespaceOf(rollout)}/${rollout.metadata.name}`;
  }
}

/**
 * The canary's share of traffic without a traffic router: Services spread requests over ready
 * pods, so it is the canary's share of ready replicas, as an integer percent.
 */
export function achievedCanaryWeight(observation: Observation, canaryHash: string): number {
  const total = observation.revisions.reduce((sum, r) => sum + r.ready, 0);
  if (total === 0) return 0;
  const canary = observation.revisions.find((r) => r.hash === canaryHash)?.ready ?? 0;
  return Math.round((canary / total) * 100);
}
