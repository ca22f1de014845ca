import type { Server } from "node:http";
import net, { isIPv6 } from "node:net";
import { getSystemErrorName } from "node:util";
import { splitHostPort } from "./validate.js";

/**
 * A socket bound to an address but not yet listening: the router's primary holds one per listener
 * and hands it to each worker it starts, which listens and accepts on it. Because the primary
 * keeps its descriptor, the socket stays open (and keeps queueing connections in its backlog)
 * while no worker runs.
 */
export interface BoundHandle {
  getsockname?(out: { address?: string; port?: number }): number;
  close(): void;
}

/** Binding failed: the message names the address and the system error. */
export class BindError extends Error {
  override readonly name = "BindError";
  constructor(
    message: string,
    readonly address: string,
    readonly code: string,
  ) {
    super(message);
  }
}

type CreateServerHandle = (address: string | null, port: number, addressType: number) => BoundHandle | number;

/**
 * Node's own way to bind without listening (node:cluster uses it to share listeners with its
 * workers); not part of the documented API, so its absence is reported instead of assumed.
 */
function createServerHandle(): CreateServerHandle {
  const fn = (net as unknown as { _createServerHandle?: CreateServerHandle })._createServerHandle;
  if (typeof fn !== "function")
    throw new BindError(
      `this Node.js (${process.version}) cannot hand listeners to a worker; use Node.js 20 or 22`,
      "",
      "ENOTSUP",
    );
  return fn;
}

function fail(address: string, errno: number): never {
  const code = getSystemErrorName(errno);
  throw new BindError(`cannot bind ${address}: ${code}`, address, code);
}

/** Binds `HOST:PORT` (port 0 picks a free one) and returns the handle with the bound `HOST:PORT`. */
export function bindTcp(address: string): { handle: BoundHandle; bound: string } {
  const { host, port } = splitHostPort(address);
  const handle = createServerHandle()(host, port, isIPv6(host) ? 6 : 4);
  if (typeof handle === "number") fail(address, handle);
  const out: { address?: string; port?: number } = {};
  handle.getsockname?.(out);
  // libuv keeps EADDRINUSE from bind() for listen(), and listen() on the unbound socket would pick
  // a random port on every address: a socket left without a port was refused its address.
  if (!out.port || (port !== 0 && out.port !== port)) {
    handle.close();
    throw new BindError(`cannot bind ${address}: EADDRINUSE (address already in use)`, address, "EADDRINUSE");
  }
  const h = isIPv6(out.address ?? host) ? `[${out.address ?? host}]` : (out.address ?? host);
  return { handle, bound: `${h}:${out.port ?? port}` };
}

/** Binds a unix socket at `file` (which must not exist). */
export function bindUnix(file: string): BoundHandle {
  const handle = createServerHandle()(file, -1, -1);
  if (typeof handle === "number") fail(file, handle);
  return handle;
}

/**
 * Starts `server` listening on a handle bound by the primary and resolves with its `HOST:PORT`
 * (empty for a unix socket, whose path the primary knows).
 */
export function listenOnHandle(server: Server, handle: BoundHandle): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(handle, () => {
      server.off("error", reject);
      const bound = server.address();
      if (bound === null || typeof bound === "string") resolve(bound ?? "");
      else resolve(`${bound.family === "IPv6" ? `[${bound.address}]` : bound.address}:${bound.port}`);
    });
  });
}

/** The listeners a primary hands to its worker. */
export type ListenerRole = "main" | "admin" | "metrics";

/** Primary to worker: each bound listener (with its handle), then the order to start serving. */
export type ToWorker =
  | { type: "handle"; role: ListenerRole }
  | { type: "start"; stateDir: string; listen: string; socket: string; metricsListen?: string };

/** Worker to primary: it serves, on these addresses. */
export type ToPrimary = { type: "ready"; listen: string; metricsListen?: string };
