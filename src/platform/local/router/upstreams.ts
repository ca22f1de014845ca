import { type Dispatcher, Pool } from "undici";

/** Makes the connection pool for one endpoint; injectable so tests need no sockets. */
export type PoolFactory = (origin: string) => Dispatcher;

const defaultPool: PoolFactory = (origin) =>
  new Pool(origin, { pipelining: 1, keepAliveTimeout: 4_000, connect: { timeout: 5_000 } });

/** How long an endpoint that refused or dropped a connection is skipped while others can serve. */
export const EJECT_MS = 2_000;

/**
 * One replica endpoint: its keep-alive pool, a separate pool for mirrored traffic (so a slow mirror
 * never queues real requests), and the count of requests in flight that drain waits on.
 */
export class Upstream {
  inflight = 0;
  /** Epoch ms until which the endpoint is skipped after a connection error; 0 when healthy. */
  downUntil = 0;
  /** Set once the endpoint left the config: it closes as soon as nothing is in flight. */
  retired = false;
  readonly pool: Dispatcher;
  private mirror: Dispatcher | undefined;

  constructor(
    readonly endpoint: string,
    private readonly makePool: PoolFactory,
    private readonly onIdle: (u: Upstream) => void,
  ) {
    this.pool = makePool(`http://${endpoint}`);
  }

  /** The pool for mirrored copies, opened on first use. */
  get mirrorPool(): Dispatcher {
    this.mirror ??= this.makePool(`http://${this.endpoint}`);
    return this.mirror;
  }

  /** Counts a request as started; pair with {@link end}. */
  begin(): void {
    this.inflight++;
  }

  /** Counts a request as finished; a retired endpoint closes when the last one finishes. */
  end(): void {
    this.inflight--;
    if (this.retired && this.inflight === 0) this.onIdle(this);
  }

  /** Closes both pools, letting requests already queued on them finish. */
  async close(): Promise<void> {
    await Promise.all([this.pool.close(), this.mirror?.close()]);
  }
}

/**
 * The upstreams of every endpoint in the served config. Endpoints that leave the config are retired:
 * they keep serving what is in flight, stay visible to {@link inflight} (drain polls it), and close
 * once idle.
 */
export class UpstreamSet {
  private readonly active = new Map<string, Upstream>();
  private readonly retiring = new Set<Upstream>();
  private readonly closing = new Set<Promise<void>>();

  constructor(private readonly makePool: PoolFactory = defaultPool) {}

  /** The upstream for an endpoint, opened on first use. */
  acquire(endpoint: string): Upstream {
    let u = this.active.get(endpoint);
    if (!u) {
      u = new Upstream(endpoint, this.makePool, (idle) => this.closeRetired(idle));
      this.active.set(endpoint, u);
    }
    return u;
  }

  /** Retires every endpoint not in `keep`. */
  retain(keep: ReadonlySet<string>): void {
    for (const [endpoint, u] of this.active) {
      if (keep.has(endpoint)) continue;
      this.active.delete(endpoint);
      u.retired = true;
      this.retiring.add(u);
      if (u.inflight === 0) this.closeRetired(u);
    }
  }

  /** Requests in flight to an endpoint, counting a retired upstream and its replacement alike. */
  inflight(endpoint: string): number {
    let n = this.active.get(endpoint)?.inflight ?? 0;
    for (const u of this.retiring) if (u.endpoint === endpoint) n += u.inflight;
    return n;
  }

  /** Requests in flight to every endpoint. */
  totalInflight(): number {
    let n = 0;
    for (const u of this.active.values()) n += u.inflight;
    for (const u of this.retiring) n += u.inflight;
    return n;
  }

  /** Endpoints currently open (not retired). */
  endpoints(): string[] {
    return [...this.active.keys()];
  }

  /** Closes everything; in-flight requests finish first. */
  async close(): Promise<void> {
    this.retain(new Set());
    await Promise.all([...this.retiring].map((u) => u.close()));
    await Promise.all(this.closing);
  }

  private closeRetired(u: Upstream): void {
    if (!this.retiring.delete(u)) return;
    const p = u.close().catch(() => {});
    this.closing.add(p);
    void p.then(() => this.closing.delete(p));
  }
}
