import { Pool } from "undici";

/** What users saw during one phase of the demo. */
export interface PhaseTraffic {
  requests: number;
  /** 5xx answers and connection errors: what a user would call a failed request. */
  errors: number;
  /** Requests that were not sent because too many were already in flight (the load stays bounded). */
  skipped: number;
  byRevision: Record<string, { requests: number; errors: number }>;
  /** Answers by the `version` their JSON body names (only with `countVersions`). */
  byVersion: Record<string, number>;
  /** Send time (epoch ms) of the first request that came back bad. */
  firstBadAt?: number;
  /** Revision that answered the first bad request. */
  badRevision?: string;
  /** Send time of the last request the bad revision answered: after it, traffic was fully elsewhere. */
  lastBadRevisionAt?: number;
}

export interface LoadOptions {
  url: string;
  /** Host header, which selects the rollout on the router's main listener. */
  host?: string;
  ratePerSecond: number;
  path?: string;
  maxInFlight?: number;
  /** Read each answer's JSON body for its `version` (the demo app names it), to count answers by version. */
  countVersions?: boolean;
}

const TICK_MS = 10;

/**
 * A bounded, steady load: `ratePerSecond` requests on keep-alive connections, paced by a clock
 * rather than by responses, so a slow revision does not slow the load down. Each response is
 * attributed to the revision the router names in `x-sluice-revision`.
 */
export class LoadGenerator {
  private readonly pool: Pool;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private sent = 0;
  private startedAt = 0;
  private phase: PhaseTraffic = emptyPhase();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly opts: LoadOptions) {
    this.pool = new Pool(opts.url, { connections: 64, pipelining: 1, keepAliveTimeout: 10_000 });
  }

  start(): void {
    this.startedAt = Date.now();
    this.sent = 0;
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Starts counting a new phase and returns what the previous one saw. */
  nextPhase(): PhaseTraffic {
    const done = this.phase;
    this.phase = emptyPhase();
    return done;
  }

  current(): PhaseTraffic {
    return this.phase;
  }

  /** Stops sending, waits for requests in flight, and closes the connections. */
  async stop(): Promise<PhaseTraffic> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.pending]);
    await this.pool.close();
    return this.phase;
  }

  private tick(): void {
    const owed = Math.floor(((Date.now() - this.startedAt) / 1000) * this.opts.ratePerSecond) - this.sent;
    for (let i = 0; i < owed; i++) {
      this.sent++;
      if (this.inFlight >= (this.opts.maxInFlight ?? 512)) {
        this.phase.skipped++;
        continue;
      }
      const p = this.one().finally(() => this.pending.delete(p));
      this.pending.add(p);
    }
  }

  private async one(): Promise<void> {
    const phase = this.phase;
    const sentAt = Date.now();
    this.inFlight++;
    let status = 0;
    let revision = "unknown";
    let version: string | undefined;
    try {
      const res = await this.pool.request({
        path: this.opts.path ?? "/",
        method: "GET",
        headers: this.opts.host ? { host: this.opts.host } : {},
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
      status = res.statusCode;
      revision = String(res.headers["x-sluice-revision"] ?? "unknown");
      if (this.opts.countVersions) version = versionOf(await res.body.text());
      else await res.body.dump();
    } catch {
      status = 0;
    } finally {
      this.inFlight--;
    }
    record(phase, sentAt, status, revision, version);
  }
}

/** The `version` a JSON body names, or undefined. */
export function versionOf(body: string): string | undefined {
  try {
    const v = (JSON.parse(body) as { version?: unknown } | null)?.version;
    return typeof v === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Counts one response into a phase. Status 0 = connection error. */
export function record(phase: PhaseTraffic, sentAt: number, status: number, revision: string, version?: string): void {
  const bad = status === 0 || status >= 500;
  phase.requests++;
  if (version !== undefined) phase.byVersion[version] = (phase.byVersion[version] ?? 0) + 1;
  const rev = phase.byRevision[revision] ?? { requests: 0, errors: 0 };
  phase.byRevision[revision] = rev;
  rev.requests++;
  if (bad) {
    phase.errors++;
    rev.errors++;
    if (phase.firstBadAt === undefined || sentAt < phase.firstBadAt) {
      phase.firstBadAt = sentAt;
      phase.badRevision = revision;
    }
  }
  if (phase.badRevision === revision && (phase.lastBadRevisionAt === undefined || sentAt > phase.lastBadRevisionAt))
    phase.lastBadRevisionAt = sentAt;
}

function emptyPhase(): PhaseTraffic {
  return { requests: 0, errors: 0, skipped: 0, byRevision: {}, byVersion: {} };
}
