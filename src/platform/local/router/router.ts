import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { generatedRevision, LOAD_HEADER } from "../../../load/label.js";
import {
  type Backend,
  type CompiledConfig,
  choose,
  compileConfig,
  endpointsOf,
  type Mirror,
  type Route,
  routeForHost,
  seriesKeysOf,
  takeMirror,
} from "./compile.js";
import type { RouteRefusal, RouterConfig } from "./config.js";
import { StaleGenerationError } from "./errors.js";
import { type BoundHandle, listenOnHandle } from "./handles.js";
import { upstreamRequestHeaders } from "./headers.js";
import { closeServer, listenOn } from "./listen.js";
import { MIRROR_BODY_LIMIT, MirrorSender } from "./mirror.js";
import { renderMetrics } from "./prometheus.js";
import { Exchange, hasBody, type ProxyContext } from "./proxy.js";
import { Telemetry } from "./telemetry.js";
import { type PoolFactory, UpstreamSet } from "./upstreams.js";
import { rejectUpgrade, tunnelUpgrade } from "./websocket.js";

/** Options for a {@link Router}; all optional. */
export interface RouterOptions {
  telemetry?: Telemetry;
  poolFactory?: PoolFactory;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** How long in-flight requests get to finish on close before connections are cut. Default 10 s. */
  closeGraceMs?: number;
  /** The state directory's generated-load secret (src/load/label.ts); without it no request counts as generated. */
  loadSecret?: string;
}

/** The outcome of applying a config: problems that did not stop it from being served. */
export interface ApplyResult {
  generation: number;
  warnings: string[];
  /** Rollouts whose route was not applied; each keeps its last accepted route, if it had one. */
  refused: RouteRefusal[];
}

interface PreviewListener {
  server: Server;
  rollout: string;
}

/**
 * The data plane: serves the main listener and one listener per blue-green preview, routing each
 * request by the compiled config. A new config is compiled aside and swapped in with one assignment,
 * so a request sees either the old or the new config, never a mix.
 */
export class Router {
  readonly telemetry: Telemetry;
  private readonly upstreams: UpstreamSet;
  private readonly mirrors: MirrorSender;
  private readonly ctx: ProxyContext;
  private readonly closeGraceMs: number;
  private compiled: CompiledConfig | undefined;
  private readonly loadSecret: string | undefined;
  private readonly previews = new Map<string, PreviewListener>();
  private previewSync: Promise<string[]> = Promise.resolve([]);
  private readonly servers = new Set<Server>();
  /** Upgraded (WebSocket) client sockets: the HTTP server no longer tracks them, so close must. */
  private readonly tunnels = new Set<Duplex>();

  constructor(opts: RouterOptions = {}) {
    this.telemetry = opts.telemetry ?? new Telemetry();
    this.upstreams = new UpstreamSet(opts.poolFactory);
    this.mirrors = new MirrorSender(this.telemetry);
    this.ctx = { telemetry: this.telemetry, log: opts.log ?? (() => {}) };
    this.closeGraceMs = opts.closeGraceMs ?? 10_000;
    this.loadSecret = opts.loadSecret;
  }

  /** The config being served, as it was sent. */
  get config(): RouterConfig | undefined {
    return this.compiled?.source;
  }

  /** Rollouts whose latest route was refused, and why. */
  get refused(): readonly RouteRefusal[] {
    return this.compiled?.refused ?? [];
  }

  /**
   * Serves `cfg` from now on. Throws {@link StaleGenerationError} for a generation older than the
   * served one; the old config stays. A rollout whose route cannot be compiled (or was already
   * refused while parsing, `refused`) is reported and keeps its last accepted route; every other
   * rollout is served as sent. Resolves once preview listeners match the config; listeners that
   * could not open are reported as warnings, not failures, since the main routes are already live.
   */
  async apply(cfg: RouterConfig, refused: readonly RouteRefusal[] = []): Promise<ApplyResult> {
    const current = this.compiled;
    if (current && cfg.generation < current.generation)
      throw new StaleGenerationError(cfg.generation, current.generation);
    const next = compileConfig(cfg, {
      upstreams: this.upstreams,
      telemetry: this.telemetry,
      previous: current?.source,
      refused,
    });
    this.compiled = next;
    this.upstreams.retain(endpointsOf(next.source));
    this.telemetry.prune(seriesKeysOf(next));
    this.logRefusals(current?.refused ?? [], next.refused);
    const sync = this.previewSync.then(() => this.syncPreviews());
    this.previewSync = sync.catch(() => []);
    return { generation: cfg.generation, warnings: await sync, refused: [...next.refused] };
  }

  /** Logs a refusal when it first appears or changes, not on every resend of the same route. */
  private logRefusals(before: readonly RouteRefusal[], after: readonly RouteRefusal[]): void {
    const key = (r: RouteRefusal) => `${r.rollout}\n${r.path}\n${r.message}`;
    const seen = new Set(before.map(key));
    const still = new Set(after.map((r) => r.rollout));
    for (const r of after) {
      if (!seen.has(key(r)))
        this.ctx.log("route refused; the rollout keeps its last accepted route", {
          rollout: r.rollout,
          path: r.path,
          error: r.message,
        });
    }
    for (const r of before) {
      if (!still.has(r.rollout)) this.ctx.log("route accepted again", { rollout: r.rollout });
    }
  }

  /** Starts the main listener on `HOST:PORT`, or on a socket the router's primary bound; resolves with the bound address. */
  listen(address: string | BoundHandle): Promise<string> {
    const server = this.server((req, res) => this.onRequest(req, res), true);
    return typeof address === "string" ? listenOn(server, address) : listenOnHandle(server, address);
  }

  /** Requests in flight to an endpoint (`HOST:PORT`), including ones to an endpoint just removed. */
  inflight(endpoint: string): number {
    return this.upstreams.inflight(endpoint);
  }

  /** Prometheus text for every rollout and revision. */
  metrics(): string {
    return renderMetrics(this.telemetry.all(), {
      generation: this.compiled?.generation ?? 0,
      inflight: this.upstreams.totalInflight(),
    });
  }

  /** Addresses of the preview listeners now open, by rollout. */
  previewListeners(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [address, l] of this.previews) out[l.rollout] = address;
    return out;
  }

  /** Stops every listener, lets in-flight requests finish (up to the grace period), then closes pools. */
  async close(): Promise<void> {
    for (const socket of this.tunnels) socket.destroy();
    await Promise.all([...this.servers].map((s) => closeServer(s, this.closeGraceMs)));
    this.servers.clear();
    this.previews.clear();
    await this.upstreams.close();
  }

  private server(handler: (req: IncomingMessage, res: ServerResponse) => void, main: boolean): Server {
    const server = createServer({ keepAliveTimeout: 30_000 }, handler);
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.tunnels.add(socket);
      socket.once("close", () => this.tunnels.delete(socket));
      if (main) this.onUpgrade(req, socket, head);
      else this.onPreviewUpgrade(server, req, socket, head);
    });
    server.on("clientError", (_err, socket) => {
      if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
      else socket.destroy();
    });
    this.servers.add(server);
    server.once("close", () => this.servers.delete(server));
    return server;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const cfg = this.compiled;
    if (!cfg) {
      reply(res, 503, "the router has no configuration yet");
      return;
    }
    const route = routeForHost(cfg, req.headers.host);
    if (!route) {
      reply(res, 404, `no rollout serves host ${JSON.stringify(req.headers.host ?? "")}`);
      return;
    }
    if (req.headers[LOAD_HEADER] !== undefined && this.sendGenerated(route, req, res)) return;
    const choice = choose(route, req);
    if (!choice) {
      reply(res, 503, `rollout ${route.rollout} has no revision with weight`);
      return;
    }
    this.forward(route, choice.backend, req, res, choice.via === "weight" ? choice.backend.stickyCookie : undefined);
  }

  /**
   * Sends a request of Sluice's generated load straight to the revision it names (never mirrored,
   * no sticky cookie) and records it apart from users' requests. False when the label's secret is
   * wrong: then it is a user's request like any other, so a label cannot hide a revision's errors.
   */
  private sendGenerated(route: Route, req: IncomingMessage, res: ServerResponse): boolean {
    const revision = generatedRevision(req.headers[LOAD_HEADER], this.loadSecret);
    if (revision === undefined) return false;
    const backend = route.backends.get(revision);
    if (!backend) {
      reply(res, 404, `rollout ${route.rollout} has no revision ${revision}`);
      return true;
    }
    const raw = upstreamRequestHeaders(req.rawHeaders, req.headers.connection, req.socket.remoteAddress, "http");
    // The app sees that the request is generated, never the secret.
    const headers: string[] = [];
    for (let i = 0; i < raw.length; i += 2)
      if (raw[i]?.toLowerCase() !== LOAD_HEADER) headers.push(raw[i] ?? "", raw[i + 1] ?? "");
    headers.push(LOAD_HEADER, "1");
    const exchange = new Exchange(this.ctx, req, res, backend, headers, undefined);
    exchange.series = backend.generatedSeries;
    exchange.send();
    return true;
  }

  private forward(
    route: Route | undefined,
    backend: Backend,
    req: IncomingMessage,
    res: ServerResponse,
    setCookie: string | undefined,
  ): void {
    const headers = upstreamRequestHeaders(req.rawHeaders, req.headers.connection, req.socket.remoteAddress, "http");
    if (!route || route.mirrors.length === 0) {
      new Exchange(this.ctx, req, res, backend, headers, setCookie).send();
      return;
    }
    const targets = this.mirrorTargets(route.mirrors, req);
    if (targets.length === 0) {
      new Exchange(this.ctx, req, res, backend, headers, setCookie).send();
    } else if (!hasBody(req)) {
      new Exchange(this.ctx, req, res, backend, headers, setCookie).send();
      for (const m of targets) this.mirrors.send(m, req, headers, null);
    } else {
      const sendCopies = (body: Buffer | undefined) => {
        if (body) for (const m of targets) this.mirrors.send(m, req, headers, body);
      };
      new Exchange(this.ctx, req, res, backend, headers, setCookie, {
        limit: MIRROR_BODY_LIMIT,
        done: sendCopies,
      }).send();
    }
  }

  private mirrorTargets(mirrors: readonly Mirror[], req: IncomingMessage): Mirror[] {
    const out: Mirror[] = [];
    if (!this.mirrors.hasRoom) return out;
    if (Number(req.headers["content-length"] ?? 0) > MIRROR_BODY_LIMIT) return out;
    for (const m of mirrors) if (takeMirror(m, req)) out.push(m);
    return out;
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const cfg = this.compiled;
    const route = cfg && routeForHost(cfg, req.headers.host);
    if (!route) {
      rejectUpgrade(socket, 404, "no rollout serves this host");
      return;
    }
    const choice = choose(route, req);
    if (!choice) {
      rejectUpgrade(socket, 503, `rollout ${route.rollout} has no revision with weight`);
      return;
    }
    tunnelUpgrade(this.ctx, choice.backend, req, socket, head);
  }

  private previewBackend(server: Server): { route: Route; backend: Backend } | string {
    const listener = [...this.previews.values()].find((l) => l.server === server);
    const route = listener && this.compiled?.routes.get(listener.rollout);
    if (!route) return "this preview listener no longer belongs to a rollout";
    if (!route.preview) return `rollout ${route.rollout} has no preview revision`;
    return { route, backend: route.preview };
  }

  private onPreviewUpgrade(server: Server, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const target = this.previewBackend(server);
    if (typeof target === "string") {
      rejectUpgrade(socket, 503, target);
      return;
    }
    tunnelUpgrade(this.ctx, target.backend, req, socket, head);
  }

  /** Opens listeners new in the config, re-points moved ones, and closes ones no longer wanted. */
  private async syncPreviews(): Promise<string[]> {
    const wanted = new Map<string, string>();
    for (const route of this.compiled?.routes.values() ?? []) {
      if (route.previewListen) wanted.set(route.previewListen, route.rollout);
    }
    const warnings: string[] = [];
    for (const [address, l] of this.previews) {
      const rollout = wanted.get(address);
      if (rollout === undefined) {
        this.previews.delete(address);
        // Stops accepting at once; requests in progress finish in the background, not in this PUT.
        void closeServer(l.server, this.closeGraceMs);
      } else l.rollout = rollout;
    }
    for (const [address, rollout] of wanted) {
      if (this.previews.has(address)) continue;
      const server: Server = this.server((req, res) => {
        const target = this.previewBackend(server);
        if (typeof target === "string") {
          reply(res, 503, target);
          return;
        }
        this.forward(undefined, target.backend, req, res, undefined);
      }, false);
      try {
        await listenOn(server, address);
        this.previews.set(address, { server, rollout });
      } catch (err) {
        this.servers.delete(server);
        const message = `preview listener ${address} for rollout ${rollout} could not open: ${(err as Error).message}`;
        this.ctx.log(message);
        warnings.push(message);
      }
    }
    return warnings;
  }
}

function reply(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}
