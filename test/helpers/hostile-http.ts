import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { Socket } from "node:net";

/**
 * The answers {@link HostileHttp} gives, by path: what a web metric, a Prometheus address or a
 * webhook in a generated manifest may point at. Every one is something a real server can do.
 */
export const HOSTILE_PATHS = [
  "/ok",
  "/huge",
  "/deep",
  "/slow",
  "/hang",
  "/notjson",
  "/prom",
  "/prom-many",
  "/redirect",
  "/reset",
  "/500",
] as const;

const HUGE = JSON.stringify({ ok: true, pad: "x".repeat(8 * 1024 * 1024) });
const DEEP = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
const PROM = JSON.stringify({
  status: "success",
  data: { resultType: "vector", result: [{ metric: {}, value: [0, "0.995"] }] },
});
const PROM_MANY = JSON.stringify({
  status: "success",
  data: {
    resultType: "matrix",
    result: Array.from({ length: 2000 }, (_, i) => ({
      metric: { i: String(i) },
      values: Array.from({ length: 20 }, (_, j) => [j, String(Math.random())]),
    })),
  },
});

/** An HTTP server on 127.0.0.1 that answers slowly, hugely, wrongly or not at all, by path. */
export class HostileHttp {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  url = "";
  requests = 0;

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      this.requests++;
      // Paths may carry a query or a suffix from argument substitution; the first segment decides.
      const path = `/${(req.url ?? "/").split(/[/?#]/)[1] ?? ""}`;
      const json = (status: number, body: string) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(body);
      };
      switch (path) {
        case "/huge":
          return json(200, HUGE);
        case "/deep":
          return json(200, DEEP);
        case "/slow":
          setTimeout(() => json(200, '{"ok":true}'), 5000).unref();
          return;
        case "/hang":
          return; // Never answers; the socket closes when the server stops.
        case "/notjson":
          res.writeHead(200, { "content-type": "text/html" });
          return res.end("<html>not json</html>");
        case "/prom":
          return json(200, PROM);
        case "/prom-many":
          return json(200, PROM_MANY);
        case "/redirect":
          res.writeHead(302, { location: req.url ?? "/redirect" });
          return res.end();
        case "/reset":
          req.socket.destroy();
          return;
        case "/500":
          return json(500, '{"error":"boom"}');
        default:
          return json(200, '{"ok":true,"value":1}');
      }
    });
    server.on("connection", (s) => {
      this.sockets.add(s);
      s.once("close", () => this.sockets.delete(s));
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const addr = server.address();
    if (addr === null || typeof addr === "string") throw new Error("hostile server has no port");
    this.url = `http://127.0.0.1:${addr.port}`;
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    if (server) await new Promise((r) => server.close(r));
  }
}
