import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { splitHostPort } from "./validate.js";

/** Starts `server` on `HOST:PORT` (port 0 picks a free one) and resolves with the bound `HOST:PORT`. */
export function listenOn(server: Server, address: string): Promise<string> {
  const { host, port } = splitHostPort(address);
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once("error", onError);
    server.listen({ host, port }, () => {
      server.off("error", onError);
      const bound = server.address() as AddressInfo;
      const h = bound.family === "IPv6" ? `[${bound.address}]` : bound.address;
      resolve(`${h}:${bound.port}`);
    });
  });
}

/**
 * Stops accepting connections and closes idle keep-alive ones at once; requests in progress get
 * `graceMs` to finish before their connections are cut.
 */
export function closeServer(server: Server, graceMs: number): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
