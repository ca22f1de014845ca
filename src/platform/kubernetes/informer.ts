import { type KubeConfig, type KubernetesListObject, type KubernetesObject, Watch } from "@kubernetes/client-node";
// Not re-exported by the package index; the deep path is stable within the pinned ~1.4 line.
import { ObjectSerializer } from "@kubernetes/client-node/dist/serializer.js";
import { Counter, Gauge, type Registry } from "prom-client";
import { reportError } from "./report-error.js";

/** What a change listener is told: the kind of change and the object after it (before it, for "delete"). */
export type ChangeType = "add" | "update" | "delete";

/** Options of {@link SupervisedInformer}. */
export interface InformerOptions<T extends KubernetesObject> {
  kc: KubeConfig;
  /** Watch path, e.g. "/apis/apps/v1/namespaces/ns/replicasets" or "/apis/sluice.dev/v1alpha1/rollouts". */
  path: string;
  /** The full list for `path`; it must apply the same label selector as `labelSelector`. */
  list: () => Promise<KubernetesListObject<T>>;
  labelSelector?: string;
  /**
   * client-node model name of T (e.g. "V1ReplicaSet"). Watch events arrive as plain JSON while typed
   * list calls return model instances with Date fields; naming the model decodes events the same way.
   * Leave unset for custom resources, whose lists are plain JSON too.
   */
  objectType?: string;
  /** Periodic full relist (default 5 min); it also bounds how long a silently dead watch goes unnoticed. */
  relistIntervalMs?: number;
  /** Restart delay after an error: doubles from initialMs up to maxMs (default 500 ms .. 30 s). */
  backoff?: { initialMs: number; maxMs: number };
  /** A list that has not answered by then counts as failed, so a dead connection cannot stall the loop (default 60 s). */
  listTimeoutMs?: number;
  /** Attempts of the first list before start() gives up (default 3). */
  startAttempts?: number;
  onError?: (err: unknown) => void;
}

/** The informer could not fill its cache, or the API server ended a watch with an error. */
export class InformerError extends Error {
  override readonly name = "InformerError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Restart delays that double from `initialMs` to `maxMs`, with ±`jitter` spread so replicas that
 * lost the same API server do not come back in lockstep. A run that stayed healthy for
 * `resetAfterMs` starts over from `initialMs`.
 */
export class Backoff {
  private nextMs: number;
  private healthySince: number | undefined;

  constructor(
    private readonly opts: { initialMs: number; maxMs: number; resetAfterMs?: number; jitter?: number },
    private readonly random: () => number = Math.random,
  ) {
    this.nextMs = opts.initialMs;
  }

  /** Records that the watched connection is up as of `now`. */
  healthy(now: number): void {
    this.healthySince ??= now;
  }

  /** Records a failure at `now` and returns how long to wait before the next try. */
  failure(now: number): number {
    if (this.healthySince !== undefined && now - this.healthySince >= (this.opts.resetAfterMs ?? 60_000))
      this.nextMs = this.opts.initialMs;
    this.healthySince = undefined;
    const base = this.nextMs;
    this.nextMs = Math.min(this.nextMs * 2, this.opts.maxMs);
    const spread = (this.opts.jitter ?? 0.2) * (2 * this.random() - 1);
    return Math.max(0, Math.round(base * (1 + spread)));
  }
}

/** One change a relist implies for a consumer that saw `before`. */
export interface CacheChange<T> {
  type: ChangeType;
  obj: T;
}

const keyOf = (obj: KubernetesObject) => `${obj.metadata?.namespace ?? ""}/${obj.metadata?.name ?? ""}`;
const versionOf = (obj: KubernetesObject) => obj.metadata?.resourceVersion;

/**
 * The changes that turn the cache `before` into the fresh list `items`: adds for new keys, updates
 * where the resourceVersion moved, deletes (with the last known object) for keys that are gone.
 */
export function diffList<T extends KubernetesObject>(before: ReadonlyMap<string, T>, items: readonly T[]) {
  const after = new Map<string, T>();
  const changes: CacheChange<T>[] = [];
  for (const obj of items) {
    const key = keyOf(obj);
    after.set(key, obj);
    const old = before.get(key);
    if (!old) changes.push({ type: "add", obj });
    else if (versionOf(old) !== versionOf(obj)) changes.push({ type: "update", obj });
  }
  for (const [key, old] of before) if (!after.has(key)) changes.push({ type: "delete", obj: old });
  return { after, changes };
}

type WatchEnd = "closed" | "expired" | "relist" | "stopped";
const EARLY_CLOSE_MS = 1_000;

/**
 * A list+watch cache that survives API server outages. client-node's own informer gives up on the
 * first network error; this one restarts with backoff, relisting each time so deletes missed during
 * the outage still reach listeners, and relists periodically as a backstop.
 */
export class SupervisedInformer<T extends KubernetesObject> {
  private objects = new Map<string, T>();
  private readonly listeners = new Set<(type: ChangeType, obj: T) => void>();
  private readonly backoff: Backoff;
  private readonly watcher: Watch;
  private resourceVersion = "";
  private stopped = false;
  private started = false;
  private cancelWatch: (() => void) | undefined;
  private wakeSleeper: (() => void) | undefined;
  private lastEvent: Date | undefined;
  private restartCount = 0;

  constructor(private readonly opts: InformerOptions<T>) {
    this.backoff = new Backoff(opts.backoff ?? { initialMs: 500, maxMs: 30_000 });
    this.watcher = new Watch(opts.kc);
  }

  /** Last add, update, delete, bookmark or relist seen: how fresh the cache is known to be. */
  get lastEventAt(): Date | undefined {
    return this.lastEvent;
  }

  /** Times the list+watch was restarted after an error. */
  get restarts(): number {
    return this.restartCount;
  }

  /** Number of cached objects. */
  get size(): number {
    return this.objects.size;
  }

  /**
   * Fills the cache from the first list, then keeps it current in the background. Rejects with
   * InformerError when the first list fails `startAttempts` times (a missing CRD or RBAC rule should
   * fail startup loudly, not spin); the informer is then stopped.
   */
  async start(): Promise<void> {
    if (this.started) throw new InformerError(`informer for ${this.opts.path} was already started`);
    this.started = true;
    const attempts = this.opts.startAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.relist();
        break;
      } catch (err) {
        if (this.stopped) return;
        if (attempt >= attempts) {
          this.stopped = true;
          throw new InformerError(`listing ${this.opts.path} failed ${attempts} times`, { cause: err });
        }
        this.report(err);
        await this.sleep(this.backoff.failure(Date.now()));
      }
    }
    void this.run();
  }

  /** Stops watching; the cache keeps its last contents and listeners hear nothing more. */
  stop(): void {
    this.stopped = true;
    this.cancelWatch?.();
    this.wakeSleeper?.();
  }

  /** Cached objects, of one namespace when given. */
  list(namespace?: string): T[] {
    const all = [...this.objects.values()];
    return namespace === undefined ? all : all.filter((o) => (o.metadata?.namespace ?? "") === namespace);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.objects.get(`${namespace ?? ""}/${name}`);
  }

  /** Calls `fn` on every change from now on; returns the unsubscribe function. */
  onChange(fn: (type: ChangeType, obj: T) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private async run(): Promise<void> {
    const interval = this.opts.relistIntervalMs ?? 5 * 60_000;
    let relistAt = Date.now() + interval;
    let mustList = false;
    while (!this.stopped) {
      try {
        if (mustList || Date.now() >= relistAt) {
          await this.relist();
          relistAt = Date.now() + interval;
          mustList = false;
        }
        const end = await this.watchUntil(relistAt);
        // A 410 means our resourceVersion was compacted away: only a fresh list can resume.
        if (end === "expired") mustList = true;
      } catch (err) {
        if (this.stopped) break;
        this.restartCount++;
        this.report(err);
        mustList = true;
        await this.sleep(this.backoff.failure(Date.now()));
      }
    }
  }

  private async relist(): Promise<void> {
    const timeoutMs = this.opts.listTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new InformerError(`listing ${this.opts.path} took over ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    const list = await Promise.race([this.opts.list(), timeout]).finally(() => clearTimeout(timer));
    if (this.stopped) return;
    const version = list.metadata?.resourceVersion;
    if (!version) throw new InformerError(`the list of ${this.opts.path} has no resourceVersion to watch from`);
    const { after, changes } = diffList(this.objects, list.items);
    this.objects = after;
    this.resourceVersion = version;
    this.lastEvent = new Date();
    for (const c of changes) this.emit(c.type, c.obj);
  }

  /** Watches from the cached resourceVersion until the stream ends, fails, or `relistAt` arrives. */
  private watchUntil(relistAt: number): Promise<WatchEnd> {
    return new Promise<WatchEnd>((resolve, reject) => {
      const began = Date.now();
      let settled = false;
      let abort: AbortController | undefined;
      let expired = false;
      let failure: InformerError | undefined;
      const finish = (settle: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.cancelWatch = undefined;
        abort?.abort();
        settle();
      };
      const timer = setTimeout(() => finish(() => resolve("relist")), Math.max(0, relistAt - began));
      this.cancelWatch = () => finish(() => resolve("stopped"));
      const query = {
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        labelSelector: this.opts.labelSelector,
        // The server ends the watch a little after our relist, so an abandoned one does not linger.
        timeoutSeconds: Math.ceil((relistAt - began) / 1000) + 5,
      };
      const onEvent = (phase: string, raw: unknown) => {
        if (settled || this.stopped) return;
        if (phase === "ERROR") {
          const status = raw as { code?: number; message?: string };
          if (status.code === 410) expired = true;
          else failure = new InformerError(`watch of ${this.opts.path} failed: ${status.code} ${status.message}`);
          return;
        }
        this.applyWatchEvent(phase, raw);
      };
      const onDone = (err: unknown) => {
        if (err) finish(() => reject(err));
        else if (expired) finish(() => resolve("expired"));
        else if (failure) finish(() => reject(failure));
        else if (Date.now() - began < EARLY_CLOSE_MS)
          // A watch that closes at once would otherwise be reopened in a tight loop.
          finish(() => reject(new InformerError(`watch of ${this.opts.path} closed right after it opened`)));
        else finish(() => resolve("closed"));
      };
      this.watcher.watch(this.opts.path, query, onEvent, onDone).then(
        (controller) => {
          abort = controller;
          if (settled) controller.abort();
          else this.backoff.healthy(Date.now());
        },
        (err: unknown) => finish(() => reject(err)),
      );
    });
  }

  private applyWatchEvent(phase: string, raw: unknown): void {
    const obj = (this.opts.objectType ? ObjectSerializer.deserialize(raw, this.opts.objectType) : raw) as T;
    const version = versionOf(obj);
    if (version) this.resourceVersion = version;
    this.lastEvent = new Date();
    const key = keyOf(obj);
    const old = this.objects.get(key);
    if (phase === "ADDED" || phase === "MODIFIED") {
      if (old && versionOf(old) === version) return;
      this.objects.set(key, obj);
      this.emit(old ? "update" : "add", obj);
    } else if (phase === "DELETED" && old) {
      this.objects.delete(key);
      this.emit("delete", obj);
    }
  }

  private emit(type: ChangeType, obj: T): void {
    for (const fn of this.listeners) {
      try {
        fn(type, obj);
      } catch (err) {
        // A failing listener must not stop the others or the watch.
        this.report(err);
      }
    }
  }

  private report(err: unknown): void {
    reportError(this.opts.onError, err);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleeper = () => {
        this.wakeSleeper = undefined;
        done();
      };
    });
  }
}

/**
 * Registers informer health on `registry`, read at scrape time: when each informer last heard from
 * the API server, how often it restarted, and how many objects it caches. Keys of `informers` become
 * the `resource` label.
 */
export function informerMetrics(
  registry: Registry,
  informers: Record<string, SupervisedInformer<KubernetesObject>>,
): void {
  const entries = () => Object.entries(informers);
  new Gauge({
    name: "sluice_informer_last_event_timestamp_seconds",
    help: "Unix time of the last add, update, delete, bookmark or relist each informer saw",
    labelNames: ["resource"],
    registers: [registry],
    collect() {
      for (const [resource, inf] of entries()) {
        const at = inf.lastEventAt;
        if (at) this.set({ resource }, at.getTime() / 1000);
      }
    },
  });
  new Counter({
    name: "sluice_informer_restarts_total",
    help: "List+watch restarts after errors, per informer",
    labelNames: ["resource"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [resource, inf] of entries()) this.inc({ resource }, inf.restarts);
    },
  });
  new Gauge({
    name: "sluice_informer_objects",
    help: "Objects in each informer's cache",
    labelNames: ["resource"],
    registers: [registry],
    collect() {
      for (const [resource, inf] of entries()) this.set({ resource }, inf.size);
    },
  });
}
