import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";

/** A listening API server. */
export interface ServedApi {
  /** `http://host:port`, with the port actually bound. */
  url: string;
  /** Stops listening and ends open connections, watch streams included. Safe to call twice. */
  close(): Promise<void>;
}

/** Serves the app on node:http. Defaults to 127.0.0.1 and an ephemeral port. */
export function serveApi(app: Hono, opts: { host?: string; port?: number } = {}): Promise<ServedApi> {
  const host = opts.host ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port: opts.port ?? 0 });
    server.once("error", reject);
    server.once("listening", () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      const hostPart = host.includes(":") ? `[${host}]` : host;
      let closing: Promise<void> | undefined;
      resolve({
        url: `http://${hostPart}:${port}`,
        close: () => {
          closing ??= new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            // Watch streams never end by themselves; without this, close would wait for every client.
            if ("closeAllConnections" in server) server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}
