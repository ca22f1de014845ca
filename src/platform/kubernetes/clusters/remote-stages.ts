import type { KubeConfig } from "@kubernetes/client-node";
import type { StageReach } from "../../../ports/pipeline-store.js";
import { clusterSecretName, readClusterSecret, type SecretLike } from "./cluster-secret.js";
import { probeReason } from "./registry.js";
import { type RemoteRolloutObject, RemoteRollouts, RemoteStageError } from "./remote-rollouts.js";

/** A stage's place in another cluster: the registered cluster's name and the namespace of its rollout there. */
export interface RemoteTarget {
  cluster: string;
  namespace: string;
}

export interface RemoteStagesOptions {
  /** The hub namespace whose cluster Secrets name the targets (the pipelines' namespace). */
  namespace: string;
  /** Reads a Secret of the hub namespace by name; undefined when there is none. Only `get`: the hub never lists Secrets. */
  readSecret: (name: string) => Promise<SecretLike | undefined>;
  /** How long a cluster Secret is used before it is read again (default 10 s): a rotated token takes effect by then. */
  secretTtlMs?: number;
  /** How long one read of a target may take before it counts as unreachable (default 5 s). */
  timeoutMs?: number;
  now?: () => Date;
}

interface ClusterCredentials {
  /** The Secret's resourceVersion: a new one means new credentials, so new clients. */
  version?: string;
  kc?: KubeConfig;
  /** Why this cluster cannot be used (not registered, unusable Secret), in one line. */
  problem?: string;
  readAt: number;
}

const DEFAULT_SECRET_TTL_MS = 10_000;

/**
 * The hub's view of every stage that lives in another cluster, for one hub namespace: reads the
 * cluster's kubeconfig Secret (registered with `sluice cluster add`), keeps one {@link RemoteRollouts}
 * per target namespace, and says for each target whether it answered the last read. Nothing here
 * throws on a target that does not answer: the pipeline shows the stage as unreachable instead.
 */
export class RemoteStages {
  private readonly credentials = new Map<string, ClusterCredentials>();
  private readonly views = new Map<string, RemoteRollouts>();

  constructor(private readonly opts: RemoteStagesOptions) {}

  /** Reads the targets' rollouts again, all at once; each read is bounded by the timeout. */
  async refresh(targets: readonly RemoteTarget[]): Promise<void> {
    const clusters = [...new Set(targets.map((t) => t.cluster))];
    await Promise.all(clusters.map((c) => this.loadCredentials(c)));
    const unique = new Map(targets.map((t) => [key(t), t]));
    const now = this.now();
    await Promise.all([...unique.values()].map((t) => this.view(t)?.refresh(now)));
  }

  /** The rollout as last read from the target (possibly old: see {@link reach}), or undefined if never seen. */
  rollout(target: RemoteTarget, name: string): RemoteRolloutObject | undefined {
    return this.views.get(key(target))?.lastKnown(name, this.now())?.rollout;
  }

  /** Whether the last read of the target worked, and when one last did. */
  reach(target: RemoteTarget): StageReach {
    const view = this.views.get(key(target))?.snapshot();
    const problem = this.credentials.get(target.cluster)?.problem;
    const lastContact = view?.lastContact ? { lastContact: view.lastContact } : {};
    if (problem !== undefined) return { cluster: target.cluster, reachable: false, error: problem, ...lastContact };
    if (!view) return { cluster: target.cluster, reachable: false, error: "not contacted yet" };
    return {
      cluster: target.cluster,
      reachable: view.reachable,
      ...(view.error ? { error: view.error } : {}),
      ...lastContact,
    };
  }

  /**
   * Makes the target's rollout run `spec` (level-based: nothing is written when it already does).
   * Throws {@link RemoteStageError} when the target is unreachable or refuses.
   */
  async apply(
    target: RemoteTarget,
    name: string,
    spec: unknown,
    annotations: Record<string, string>,
  ): Promise<boolean> {
    const view = this.view(target);
    if (!view) {
      const problem = this.credentials.get(target.cluster)?.problem ?? "not contacted yet";
      throw new RemoteStageError(`rollout ${target.namespace}/${name} in cluster ${target.cluster}: ${problem}`, true);
    }
    return view.apply(name, spec, annotations);
  }

  private view(target: RemoteTarget): RemoteRollouts | undefined {
    const creds = this.credentials.get(target.cluster);
    if (!creds?.kc) return undefined;
    let view = this.views.get(key(target));
    if (!view) {
      view = new RemoteRollouts(target.cluster, creds.kc, target.namespace, this.opts.timeoutMs);
      this.views.set(key(target), view);
    }
    return view;
  }

  private async loadCredentials(cluster: string): Promise<void> {
    const now = Date.now();
    const have = this.credentials.get(cluster);
    if (have && now - have.readAt < (this.opts.secretTtlMs ?? DEFAULT_SECRET_TTL_MS)) return;
    const ns = this.opts.namespace;
    let secret: SecretLike | undefined;
    try {
      secret = await this.opts.readSecret(clusterSecretName(cluster));
    } catch (err) {
      // Keep using credentials already read: the hub's own API server hiccuped, not the target.
      const problem = have?.kc ? undefined : `cannot read Secret ${clusterSecretName(cluster)}: ${probeReason(err)}`;
      this.credentials.set(cluster, { ...have, readAt: now, ...(problem ? { problem } : {}) });
      return;
    }
    if (!secret) {
      this.forget(cluster);
      this.credentials.set(cluster, {
        readAt: now,
        problem: `cluster "${cluster}" is not registered in namespace ${ns}; run sluice cluster add ${cluster} -n ${ns}`,
      });
      return;
    }
    const version = secret.metadata?.resourceVersion;
    if (have?.kc && version !== undefined && have.version === version) {
      have.readAt = now;
      return;
    }
    const { entry, kc } = readClusterSecret(secret);
    this.forget(cluster);
    this.credentials.set(cluster, {
      readAt: now,
      ...(version !== undefined ? { version } : {}),
      ...(kc && !entry.problem ? { kc } : {}),
      ...(entry.problem ? { problem: entry.problem } : {}),
    });
  }

  /** Drops the clients of a cluster whose credentials changed or went away. */
  private forget(cluster: string): void {
    for (const [k, view] of this.views) if (view.cluster === cluster) this.views.delete(k);
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }
}

function key(t: RemoteTarget): string {
  return `${t.cluster}/${t.namespace}`;
}
