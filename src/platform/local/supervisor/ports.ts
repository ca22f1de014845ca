import { createServer } from "node:net";

// Ports handed out recently, so two replicas starting at once are not both given the port the
// OS happened to offer twice before either child bound it.
const recent = new Map<number, number>();
const HOLD_MS = 30_000;

/** A TCP port on `host` that nothing listens on right now, for a replica to bind. */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await ephemeralPort(host);
    const now = Date.now();
    for (const [p, at] of recent) if (now - at > HOLD_MS) recent.delete(p);
    if (recent.has(port)) continue;
    recent.set(port, now);
    return port;
  }
  throw new Error(`no free port on ${host} after 20 attempts`);
}

function ephemeralPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error(`could not read the port bound on ${host}`))));
    });
  });
}
