import { createConnection, createServer, type Socket } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";

/** A TCP relay on 127.0.0.1 whose connections a test can cut, to simulate a network outage. */
export interface TcpProxy {
  port: number;
  /** True while the proxy resets every connection. */
  readonly down: boolean;
  /** Resets every relayed connection and refuses new ones until {@link TcpProxy.restore}. */
  cut(): void;
  /** Accepts and relays connections again. */
  restore(): void;
  close(): Promise<void>;
}

/**
 * Starts a relay from 127.0.0.1:<ephemeral> to `target` (e.g. the API server). While cut, the
 * listening socket stays bound, so the port cannot be taken by anyone else, and every connection
 * attempt is reset at once, which a client sees like a refused or dropped connection.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let down = false;
  const track = (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => s.destroy());
  };
  const server = createServer((client) => {
    if (down) {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection(target);
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as { port: number };
  const resetAll = () => {
    for (const s of sockets) s.resetAndDestroy();
    sockets.clear();
  };
  return {
    port,
    get down() {
      return down;
    },
    cut() {
      down = true;
      resetAll();
    },
    restore() {
      down = false;
    },
    close() {
      resetAll();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A copy of `kc` whose clusters are reached through `proxy` (same credentials and CA). */
export function proxiedKubeConfig(kc: KubeConfig, proxy: TcpProxy): KubeConfig {
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: kc.clusters.map((c) => ({ ...c, server: `https://127.0.0.1:${proxy.port}` })),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return copy;
}
