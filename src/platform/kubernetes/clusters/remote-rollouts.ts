import { isDeepStrictEqual } from "node:util";
import { CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { apiErrorMessage } from "../api-errors.js";
import { pluralOf, SLUICE_GROUP, SLUICE_VERSION } from "../crds.js";
import { probeReason } from "./registry.js";

/** A Rollout as the hub last saw it in a target, raw (the target's own controller owns its status). */
export interface RemoteRolloutObject {
  metadata: { name: string; namespace?: string; resourceVersion?: string; annotations?: Record<string, string> };
  spec?: unknown;
  status?: Record<string, unknown>;
}

/** What the hub knows of one target namespace's Rollouts: the last list, when, and whether the last try worked. */
export interface RemoteView {
  reachable: boolean;
  /** When the hub last listed the namespace successfully (absent: never). */
  lastContact?: Date;
  /** Why the last try failed, without credentials. */
  error?: string;
  rollouts: Map<string, RemoteRolloutObject>;
}

/** A stage's rollout in a target the hub cannot reach now, or cannot change; names the target and why. */
export class RemoteStageError extends Error {
  override readonly name = "RemoteStageError";
  constructor(
    message: string,
    readonly unreachable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const jsonPatch = setHeaderOptions("Content-Type", PatchStrategy.JsonPatch);

/**
 * The hub's view of Sluice Rollouts in one target namespace, through the target's credentials (only
 * what deploy/multicluster/target-rbac.yaml grants: Rollouts in named namespaces). `refresh` lists
 * them; a failed list keeps the last known objects and marks the view unreachable, so a stage shows
 * its last known state and its age instead of disappearing.
 */
export class RemoteRollouts {
  private readonly custom: CustomObjectsApi;
  private readonly view: RemoteView = { reachable: false, rollouts: new Map() };

  constructor(
    readonly cluster: string,
    kc: KubeConfig,
    readonly namespace: string,
    private readonly timeoutMs = 5_000,
  ) {
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  private ref() {
    return { group: SLUICE_GROUP, version: SLUICE_VERSION, plural: pluralOf("Rollout"), namespace: this.namespace };
  }

  private timed<T>(p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error("timed out"), { code: "timeout" })), this.timeoutMs);
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }

  /** Lists the namespace's Rollouts now; on failure the last known ones stay, marked unreachable. */
  async refresh(now = new Date()): Promise<RemoteView> {
    try {
      const list = (await this.timed(this.custom.listNamespacedCustomObject(this.ref()))) as {
        items: RemoteRolloutObject[];
      };
      this.view.rollouts = new Map(list.items.map((r) => [r.metadata.name, r]));
      this.view.reachable = true;
      this.view.lastContact = now;
      delete this.view.error;
    } catch (err) {
      this.view.reachable = false;
      this.view.error = probeReason(err);
    }
    return this.snapshot();
  }

  /** The view as of the last refresh (a copy). */
  snapshot(): RemoteView {
    return { ...this.view, rollouts: new Map(this.view.rollouts) };
  }

  /** The last known object of a Rollout and how old that knowledge is (ms), or undefined if never seen. */
  lastKnown(name: string, now = new Date()): { rollout: RemoteRolloutObject; ageMs: number } | undefined {
    const rollout = this.view.rollouts.get(name);
    if (!rollout || !this.view.lastContact) return undefined;
    return { rollout, ageMs: now.getTime() - this.view.lastContact.getTime() };
  }

  /**
   * Makes the target's Rollout run `spec` (with `annotations` merged), level-based: when the last
   * known object already has them, nothing is written, so a retry after a lost answer or a hub
   * restart changes nothing twice. Refused while the target is unreachable (no write on stale data);
   * the write tests the resourceVersion the hub last saw, so a change made meanwhile is not overwritten.
   * Returns whether it wrote.
   */
  async apply(name: string, spec: unknown, annotations: Record<string, string> = {}): Promise<boolean> {
    const where = `rollout ${this.namespace}/${name} in cluster ${this.cluster}`;
    if (!this.view.reachable)
      throw new RemoteStageError(`${where}: cluster unreachable (${this.view.error ?? "not contacted yet"})`, true);
    const known = this.view.rollouts.get(name);
    if (!known) throw new RemoteStageError(`${where}: no such rollout there; create it in the target first`, false);
    const current = known.metadata.annotations ?? {};
    const wanted = { ...current, ...annotations };
    if (isDeepStrictEqual(known.spec, spec) && isDeepStrictEqual(current, wanted)) return false;
    const body = [
      { op: "test", path: "/metadata/resourceVersion", value: known.metadata.resourceVersion },
      { op: "replace", path: "/spec", value: spec },
      { op: "add", path: "/metadata/annotations", value: wanted },
    ];
    try {
      const stored = (await this.timed(
        this.custom.patchNamespacedCustomObject({ ...this.ref(), name, body, fieldManager: "sluice-hub" }, jsonPatch),
      )) as RemoteRolloutObject;
      this.view.rollouts.set(name, stored);
      return true;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const unreachable = typeof code === "string";
      if (unreachable) {
        this.view.reachable = false;
        this.view.error = probeReason(err);
      }
      throw new RemoteStageError(`${where}: ${unreachable ? probeReason(err) : apiErrorMessage(err)}`, unreachable, {
        cause: err,
      });
    }
  }
}
