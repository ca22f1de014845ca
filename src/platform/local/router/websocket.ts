import type { IncomingMessage } from "node:http";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { type Backend, eject, pickUpstream } from "./compile.js";
import { upgradeRequestHead } from "./headers.js";
import type { ProxyContext } from "./proxy.js";
import { ERROR_CLASS } from "./telemetry.js";
import type { Upstream } from "./upstreams.js";
import { splitHostPort } from "./validate.js";

/**
 * Passes an Upgrade request (WebSocket) through to an endpoint of the revision as raw TCP: the
 * request head is re-sent with forwarding headers, then bytes are piped both ways until either side
 * closes. A refused connection is retried once on another endpoint, then answered with 502.
 */
export function tunnelUpgrade(
  ctx: ProxyContext,
  backend: Backend,
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  avoid?: Upstream,
): void {
  const u = pickUpstream(backend, avoid);
  if (!u) {
    rejectUpgrade(client, 503, "no endpoint is ready for this revision");
    return;
  }
  const start = performance.now();
  const { host, port } = splitHostPort(u.endpoint);
  const upstream = connect({ host, port, noDelay: true });
  let connected = false;
  u.begin();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    u.end();
  };
  upstream.once("connect", () => {
    connected = true;
    upstream.write(upgradeRequestHead(req.method ?? "GET", req.url ?? "/", req.rawHeaders, req.socket.remoteAddress));
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
    // Once the tunnel is up it is a long-lived connection, not an in-flight request: drain must not wait on it.
    end();
  });
  upstream.on("error", (err) => {
    end();
    if (connected) {
      client.destroy();
      return;
    }
    eject(u);
    if (!avoid && !client.destroyed) {
      tunnelUpgrade(ctx, backend, req, client, head, u);
      return;
    }
    ctx.log("upgrade failed", { endpoint: u.endpoint, revision: backend.revision, error: err.message });
    ctx.telemetry.record(backend.series, ERROR_CLASS, performance.now() - start);
    rejectUpgrade(client, 502, "the revision could not be reached");
  });
  upstream.on("close", () => {
    if (connected) client.destroy();
  });
  client.on("error", () => upstream.destroy());
  client.on("close", () => upstream.destroy());
}

/** Answers an Upgrade request on the raw socket, since no ServerResponse exists for it. */
export function rejectUpgrade(client: Duplex, status: number, message: string): void {
  if (client.destroyed) return;
  const body = JSON.stringify({ error: message });
  const reason = status === 404 ? "Not Found" : status === 503 ? "Service Unavailable" : "Bad Gateway";
  client.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
