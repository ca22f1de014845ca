import {
  ApiException,
  CoordinationV1Api,
  type KubeConfig,
  type V1Lease,
  type V1LeaseSpec,
  V1MicroTime,
} from "@kubernetes/client-node";
import { reportError } from "./report-error.js";

const FIELD_MANAGER = "sluice-controller";
/** Candidates wait retryPeriod × (1 + up to this factor) between tries, as client-go does. */
const JITTER = 1.2;

/** Options of {@link LeaderElector}. Durations follow client-go's defaults: 15 s, 10 s, 2 s. */
export interface LeaderElectorOptions {
  kc: KubeConfig;
  namespace: string;
  /** Name of the coordination.k8s.io/v1 Lease all replicas contend for. */
  name: string;
  /** This replica's identity, unique among contenders (e.g. the pod name). */
  identity: string;
  /** How long a standby waits after the Lease last changed before it may take over. */
  leaseDurationSeconds?: number;
  /** How long the leader keeps leading while renewals fail; must be below the lease duration. */
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  onStartedLeading: () => void;
  /** Called when leadership is lost or given up; the replica must stop acting at once. */
  onStoppedLeading: () => void;
  onError?: (err: unknown) => void;
}

/** Invalid timings, or a Lease request that did not answer in time. */
export class LeaderElectionError extends Error {
  override readonly name = "LeaderElectionError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Rejects timings under which two replicas could both believe they lead. */
export function checkTimings(leaseS: number, renewS: number, retryS: number): void {
  if (!(retryS > 0)) throw new LeaderElectionError(`retryPeriodSeconds must be positive, got ${retryS}`);
  if (!(leaseS > renewS))
    throw new LeaderElectionError(`leaseDurationSeconds (${leaseS}) must exceed renewDeadlineSeconds (${renewS})`);
  if (!(renewS > JITTER * retryS))
    throw new LeaderElectionError(
      `renewDeadlineSeconds (${renewS}) must exceed ${JITTER} × retryPeriodSeconds (${retryS})`,
    );
}

/** The Lease's time fields arrive as strings (client-node does not decode MicroTime) or as Dates. */
const toMicro = (t: Date | string) => new V1MicroTime(typeof t === "string" ? Date.parse(t) : t.getTime());

/** What changes on each renewal; a standby restarts its expiry clock whenever this moves. */
export const leaseRecord = (spec: V1LeaseSpec | undefined): string =>
  JSON.stringify([spec?.holderIdentity ?? "", spec?.renewTime ?? "", spec?.leaseTransitions ?? 0]);

/**
 * Whether `identity` may take the Lease: it is free, already ours, or unchanged for longer than its
 * lease duration since `observedAtMs`. Like client-go, expiry is measured on the candidate's own
 * clock from when it first saw the current record, so clock skew between nodes cannot shorten it.
 */
export function canAcquire(
  spec: V1LeaseSpec | undefined,
  identity: string,
  observedAtMs: number,
  nowMs: number,
  defaultLeaseSeconds: number,
): boolean {
  const holder = spec?.holderIdentity ?? "";
  if (holder === "" || holder === identity) return true;
  return observedAtMs + (spec?.leaseDurationSeconds ?? defaultLeaseSeconds) * 1000 < nowMs;
}

/** The spec `identity` writes to acquire or renew: transitions count changes of holder. */
export function nextLeaseSpec(
  current: V1LeaseSpec | undefined,
  identity: string,
  leaseSeconds: number,
  now: Date,
): V1LeaseSpec {
  const renewing = current?.holderIdentity === identity;
  const transitions = current?.leaseTransitions ?? 0;
  return {
    holderIdentity: identity,
    leaseDurationSeconds: leaseSeconds,
    acquireTime: renewing && current?.acquireTime ? toMicro(current.acquireTime) : toMicro(now),
    renewTime: toMicro(now),
    leaseTransitions: renewing || current === undefined ? transitions : transitions + 1,
  };
}

/** The spec a leader writes when it steps down: no holder, so a standby may take over at once. */
export function releasedLeaseSpec(current: V1LeaseSpec | undefined, now: Date): V1LeaseSpec {
  return {
    holderIdentity: "",
    leaseDurationSeconds: current?.leaseDurationSeconds ?? 1,
    acquireTime: toMicro(now),
    renewTime: toMicro(now),
    leaseTransitions: current?.leaseTransitions ?? 0,
  };
}

const statusOf = (err: unknown) => (err instanceof ApiException ? err.code : undefined);

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LeaderElectionError(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics: writes carry the
 * Lease's resourceVersion so only one contender wins a race (409 Conflict means it lost); the
 * leader renews every retry period and steps down once renewals have failed for the renew
 * deadline, which is shorter than the lease duration a standby waits before taking over. After
 * losing, the elector keeps contending and calls onStartedLeading again if it wins.
 */
export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly leaseS: number;
  private readonly renewMs: number;
  private readonly retryMs: number;
  private leading = false;
  /** When the last successful acquire/renew was sent: the conservative start of our term. */
  private renewedAt = 0;
  /** Whether the Lease may name us: the last write succeeded, or we were leading. */
  private mayHold = false;
  private observed: { record: string; at: number } | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(private readonly opts: LeaderElectorOptions) {
    this.leaseS = opts.leaseDurationSeconds ?? 15;
    const renewS = opts.renewDeadlineSeconds ?? 10;
    const retryS = opts.retryPeriodSeconds ?? 2;
    checkTimings(this.leaseS, renewS, retryS);
    this.renewMs = renewS * 1000;
    this.retryMs = retryS * 1000;
    this.api = opts.kc.makeApiClient(CoordinationV1Api);
  }

  /** Starts contending in the background. */
  start(): void {
    if (this.running) return;
    this.stopped = false;
    this.running = this.loop();
  }

  /**
   * Stops contending and, if this replica holds the Lease, releases it so a standby takes over
   * within one of its retry periods instead of a whole lease duration.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
    if (this.mayHold) {
      try {
        await withTimeout(this.release(), this.renewMs, "releasing the Lease");
      } catch (err) {
        this.report(err);
      }
      this.mayHold = false;
    }
    if (this.leading) this.stepDown();
  }

  /** True while this replica leads; turns false by the clock at the renew deadline even if the loop lags. */
  isLeader(): boolean {
    return this.leading && Date.now() - this.renewedAt < this.renewMs;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      if (this.leading && Date.now() - this.renewedAt >= this.renewMs) this.stepDown();
      const sentAt = Date.now();
      const budget = this.leading ? this.renewedAt + this.renewMs - sentAt : this.renewMs;
      let won = false;
      try {
        won = await withTimeout(this.tryAcquireOrRenew(), Math.max(1, budget), "the Lease");
      } catch (err) {
        this.report(err);
      }
      if (won) {
        this.renewedAt = sentAt;
        this.mayHold = true;
        if (!this.leading && !this.stopped) {
          this.leading = true;
          this.call(this.opts.onStartedLeading);
        }
      } else if (this.leading && Date.now() - this.renewedAt >= this.renewMs) this.stepDown();
      if (this.stopped) break;
      const wait = this.leading
        ? Math.min(this.retryMs, Math.max(0, this.renewedAt + this.renewMs - Date.now()))
        : this.retryMs * (1 + Math.random() * JITTER);
      await this.sleep(wait);
    }
  }

  private stepDown(): void {
    this.leading = false;
    this.call(this.opts.onStoppedLeading);
  }

  /** One round of client-go's tryAcquireOrRenew; false when the Lease is someone else's. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { name, namespace, identity } = this.opts;
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      const body: V1Lease = {
        metadata: { name, namespace },
        spec: nextLeaseSpec(undefined, identity, this.leaseS, new Date()),
      };
      return this.write(() => this.api.createNamespacedLease({ namespace, body, fieldManager: FIELD_MANAGER }));
    }
    const record = leaseRecord(lease.spec);
    if (this.observed?.record !== record) this.observed = { record, at: Date.now() };
    if (!canAcquire(lease.spec, identity, this.observed.at, Date.now(), this.leaseS)) return false;
    const body: V1Lease = { ...lease, spec: nextLeaseSpec(lease.spec, identity, this.leaseS, new Date()) };
    return this.write(() => this.api.replaceNamespacedLease({ name, namespace, body, fieldManager: FIELD_MANAGER }));
  }

  /** Sends a write that carries the resourceVersion we read; a 409 means another replica got there first. */
  private async write(send: () => Promise<V1Lease>): Promise<boolean> {
    try {
      const written = await send();
      this.observed = { record: leaseRecord(written.spec), at: Date.now() };
      return true;
    } catch (err) {
      if (statusOf(err) === 409) return false;
      throw err;
    }
  }

  private async release(): Promise<void> {
    const { name, namespace, identity } = this.opts;
    const lease = await this.api.readNamespacedLease({ name, namespace });
    if (lease.spec?.holderIdentity !== identity) return;
    const body: V1Lease = { ...lease, spec: releasedLeaseSpec(lease.spec, new Date()) };
    await this.api.replaceNamespacedLease({ name, namespace, body, fieldManager: FIELD_MANAGER });
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.report(err);
    }
  }

  private report(err: unknown): void {
    reportError(this.opts.onError, err);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
