import { mkdirSync } from "node:fs";
import path from "node:path";
import type { RevisionObservation } from "../../../engine/types.js";
import type { ProcessTemplate } from "../../../model/workload.js";
import type { BackoffOptions } from "./backoff.js";
import { planRevision } from "./plan.js";
import { isSameProcess, terminateGroup } from "./process-group.js";
import type { ReplicaRecord, ReplicaRegistry } from "./registry.js";
import { Replica, type ReplicaContext } from "./replica.js";

export type { BackoffOptions } from "./backoff.js";
export { MemoryReplicaRegistry, type ReplicaRecord, type ReplicaRegistry, replicaId } from "./registry.js";

export interface SupervisorOptions {
  /** Replica logs go to `<stateDir>/logs/<rollout>-<revision>-<index>.log`. */
  stateDir: string;
  registry: ReplicaRegistry;
  /** Called (coalesced, never synchronously) when readiness or crash state changes, so the controller reconciles. */
  onChange: (rollouts?: readonly string[]) => void;
  /**
   * Called after a replica is taken out of routing and before it gets SIGTERM; the controller
   * pushes the router config and waits until the endpoint has no request in flight.
   */
  drain?: (endpoint: string) => Promise<void>;
  /** Crashes within the window that make a revision crash-looping. Default 3. */
  crashLoopThreshold?: number;
  /** Default 60. */
  crashLoopWindowSeconds?: number;
  /** A replica not ready this long after it was created is reported as never ready. Default 60. */
  neverReadySeconds?: number;
  backoff?: BackoffOptions;
  /** Failures that cannot be thrown to a caller (draining, the registry). */
  onError?: (message: string, err: unknown) => void;
}

/** Misuse of the supervisor, such as ensuring a revision after `detach()` or `stopAll()`. */
export class SupervisorError extends Error {
  override readonly name = "SupervisorError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

interface RevisionState {
  rollout: string;
  revision: string;
  template: ProcessTemplate;
  desired: number;
  restartAt: string | undefined;
  replicas: Map<number, Replica>;
  reconcileQueued: boolean;
}

/**
 * Runs each revision's replicas as detached child processes on 127.0.0.1 and reports what the
 * engine and the router need. Replicas outlive the supervisor; a new one re-adopts them through
 * the registry.
 */
export class Supervisor {
  private readonly rollouts = new Map<string, Map<string, RevisionState>>();
  private readonly stops = new Set<Promise<void>>();
  private readonly housekeeping: NodeJS.Timeout;
  /** Set by detach() and stopAll(): nothing new is started from then on. */
  private closed = false;
  private detached = false;
  private notifyQueued = false;
  /** Rollouts changed since the last notice; undefined means "all of them" (after adoption). */
  private changed: Set<string> | undefined = new Set();

  constructor(private readonly opts: SupervisorOptions) {
    mkdirSync(path.join(opts.stateDir, "logs"), { recursive: true });
    this.housekeeping = setInterval(() => this.tick(), 1000);
    this.housekeeping.unref();
  }

  /**
   * Re-adopts replicas recorded in the registry whose process is still alive (same start time);
   * forgets the rest. Call once at start. `serving` holds the `HOST:PORT` endpoints the router was
   * sending traffic to: those replicas stay routable unless their probe fails `failureThreshold`
   * times in a row, so a busy replica is not dropped by one slow probe during a controller restart.
   */
  async adopt(
    templates: (rollout: string, revision: string) => ProcessTemplate | undefined,
    serving: ReadonlySet<string> = new Set(),
  ): Promise<void> {
    if (this.closed) throw new SupervisorError("cannot adopt replicas: the supervisor was detached or stopped");
    const pending: Promise<void>[] = [];
    for (const record of this.opts.registry.list()) {
      if (this.rollouts.get(record.rollout)?.get(record.revision)?.replicas.has(record.index)) continue;
      if (!isSameProcess(record.pid, record.startTime)) {
        this.forget(record.id);
        continue;
      }
      const template = templates(record.rollout, record.revision);
      if (!template) {
        // Its rollout or revision is gone, so nothing would ever manage or stop this process.
        pending.push(this.stopUnmanaged(record));
        continue;
      }
      const state = this.stateFor(record.rollout, record.revision, template);
      if (record.restartAt !== undefined && (state.restartAt === undefined || record.restartAt > state.restartAt))
        state.restartAt = record.restartAt;
      const replica = new Replica(this.context(state), record.index, record.restartAt);
      state.replicas.set(record.index, replica);
      // Keep what runs until the controller says otherwise with ensure().
      state.desired += 1;
      pending.push(replica.adopt(record, serving));
    }
    await Promise.all(pending);
    this.notify();
  }

  /**
   * Level-based: make revision `revision` of `rollout` have exactly `replicas` replicas running the
   * template. A restartAt different from the last one replaces the replicas one by one (start a new
   * one, wait until it is ready, then stop an old one); an undefined restartAt keeps the last one.
   */
  ensure(rollout: string, revision: string, template: ProcessTemplate, replicas: number, restartAt?: string): void {
    if (this.closed)
      throw new SupervisorError(
        `cannot run revision ${revision} of "${rollout}": the supervisor was detached or stopped`,
      );
    const state = this.stateFor(rollout, revision, template);
    state.template = template;
    state.desired = Math.max(0, Math.floor(replicas));
    if (restartAt !== undefined) state.restartAt = restartAt;
    this.reconcile(state);
  }

  /** Scale to 0 and forget the revision. Resolves once its processes are gone. */
  async remove(rollout: string, revision: string): Promise<void> {
    const state = this.rollouts.get(rollout)?.get(revision);
    if (!state) return;
    state.desired = 0;
    await Promise.all([...state.replicas.values()].map((r) => this.stopReplica(state, r)));
    if (state.desired === 0 && state.replicas.size === 0 && this.rollouts.get(rollout)?.get(revision) === state) {
      const revisions = this.rollouts.get(rollout);
      revisions?.delete(revision);
      if (revisions?.size === 0) this.rollouts.delete(rollout);
      this.notify(rollout);
    }
  }

  /** What the engine sees: one RevisionObservation per revision of the rollout. */
  observe(rollout: string): RevisionObservation[] {
    return [...(this.rollouts.get(rollout)?.values() ?? [])].map((state) => {
      const live = this.live(state);
      const obs: RevisionObservation = {
        hash: state.revision,
        replicas: live.length,
        ready: live.filter((r) => r.routable).length,
      };
      const crashing = live.find((r) => r.crashLoop !== undefined)?.crashLoop;
      if (crashing) obs.crashLooping = { message: crashing };
      const unready = live.find((r) => r.neverReady !== undefined)?.neverReady;
      if (unready) obs.neverReady = { message: unready };
      return obs;
    });
  }

  /** Ready, non-draining endpoints `127.0.0.1:PORT` per revision, for the router config. */
  endpoints(rollout: string): { revision: string; endpoints: string[] }[] {
    return [...(this.rollouts.get(rollout)?.values() ?? [])].map((state) => ({
      revision: state.revision,
      endpoints: this.live(state)
        .filter((r) => r.routable && r.endpoint !== undefined)
        .map((r) => r.endpoint as string),
    }));
  }

  /** Stops probing and timers but leaves processes running (controller shutdown). */
  async detach(): Promise<void> {
    this.closed = true;
    this.detached = true;
    clearInterval(this.housekeeping);
    for (const state of this.states()) for (const replica of state.replicas.values()) replica.detach();
    // Stops already under way finish, so their registry records are removed before the store closes.
    await Promise.allSettled([...this.stops]);
  }

  /** Stops every replica gracefully (sluice down), including recorded ones this supervisor never adopted. */
  async stopAll(): Promise<void> {
    this.closed = true;
    clearInterval(this.housekeeping);
    const pending: Promise<void>[] = [];
    const managed = new Set<string>();
    for (const state of this.states()) {
      state.desired = 0;
      for (const replica of state.replicas.values()) {
        managed.add(replica.id);
        pending.push(this.stopReplica(state, replica));
      }
    }
    for (const record of this.opts.registry.list()) {
      if (managed.has(record.id)) continue;
      if (isSameProcess(record.pid, record.startTime)) pending.push(this.stopUnmanaged(record));
      else this.forget(record.id);
    }
    await Promise.all(pending);
    this.rollouts.clear();
  }

  private reconcile(state: RevisionState): void {
    if (this.closed) return;
    const slots = [...state.replicas.values()].map((r) => ({
      index: r.index,
      current: r.restartAt === state.restartAt,
      ready: r.routable,
      stopping: r.isStopping,
    }));
    const plan = planRevision(slots, state.desired);
    for (const index of plan.stop) {
      const replica = state.replicas.get(index);
      if (replica) void this.stopReplica(state, replica);
    }
    for (const index of plan.start) {
      const replica = new Replica(this.context(state), index, state.restartAt);
      state.replicas.set(index, replica);
      replica.start();
    }
    if (plan.start.length > 0 || plan.stop.length > 0) this.notify(state.rollout);
  }

  private queueReconcile(state: RevisionState): void {
    if (state.reconcileQueued) return;
    state.reconcileQueued = true;
    queueMicrotask(() => {
      state.reconcileQueued = false;
      if (this.rollouts.get(state.rollout)?.get(state.revision) === state) this.reconcile(state);
    });
  }

  private stopReplica(state: RevisionState, replica: Replica): Promise<void> {
    const done = replica.stop().then(() => {
      if (state.replicas.get(replica.index) === replica) state.replicas.delete(replica.index);
      this.stops.delete(done);
      this.notify(state.rollout);
      this.queueReconcile(state);
    });
    this.stops.add(done);
    return done;
  }

  private async stopUnmanaged(record: ReplicaRecord): Promise<void> {
    await terminateGroup(record.pid, record.startTime, 10_000);
    this.forget(record.id);
  }

  private forget(id: string): void {
    try {
      this.opts.registry.remove(id);
    } catch (err) {
      this.opts.onError?.(`could not forget replica ${id}`, err);
    }
  }

  private stateFor(rollout: string, revision: string, template: ProcessTemplate): RevisionState {
    let revisions = this.rollouts.get(rollout);
    if (!revisions) {
      revisions = new Map();
      this.rollouts.set(rollout, revisions);
    }
    let state = revisions.get(revision);
    if (!state) {
      state = {
        rollout,
        revision,
        template,
        desired: 0,
        restartAt: undefined,
        replicas: new Map(),
        reconcileQueued: false,
      };
      revisions.set(revision, state);
    }
    return state;
  }

  private context(state: RevisionState): ReplicaContext {
    return {
      rollout: state.rollout,
      revision: state.revision,
      stateDir: this.opts.stateDir,
      registry: this.opts.registry,
      template: () => state.template,
      crashLoopThreshold: this.opts.crashLoopThreshold ?? 3,
      crashLoopWindowMs: (this.opts.crashLoopWindowSeconds ?? 60) * 1000,
      neverReadyMs: (this.opts.neverReadySeconds ?? 60) * 1000,
      ...(this.opts.backoff ? { backoff: this.opts.backoff } : {}),
      changed: () => {
        this.notify(state.rollout);
        this.queueReconcile(state);
      },
      ...(this.opts.drain ? { drain: this.opts.drain } : {}),
      ...(this.opts.onError ? { onError: this.opts.onError } : {}),
    };
  }

  private live(state: RevisionState): Replica[] {
    return [...state.replicas.values()].filter((r) => !r.isStopping).sort((a, b) => a.index - b.index);
  }

  private *states(): Iterable<RevisionState> {
    for (const revisions of this.rollouts.values()) yield* revisions.values();
  }

  private tick(): void {
    const now = Date.now();
    for (const state of this.states()) for (const replica of state.replicas.values()) replica.tick(now);
  }

  /**
   * Tells the controller, once per turn of the event loop, which rollouts changed, so it looks at
   * those alone: with hundreds of rollouts, looking at all of them on every replica change kept the
   * reconcile queue full. No rollout named means all (after adoption).
   */
  private notify(rollout?: string): void {
    if (rollout === undefined) this.changed = undefined;
    else this.changed?.add(rollout);
    if (this.notifyQueued || this.detached) return;
    this.notifyQueued = true;
    setImmediate(() => {
      this.notifyQueued = false;
      const changed = this.changed;
      this.changed = new Set();
      if (this.detached) return;
      try {
        this.opts.onChange(changed ? [...changed] : undefined);
      } catch (err) {
        this.opts.onError?.("the supervisor's change listener failed", err);
      }
    });
  }
}
