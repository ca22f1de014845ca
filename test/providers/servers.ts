import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

/** One request a test server received. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A server a test started on 127.0.0.1 and must close. */
export interface TestServer {
  url: string;
  port: number;
  requests: SeenRequest[];
  close(): Promise<void>;
}

type Handler = (req: SeenRequest, res: ServerResponse) => void;

async function listen(server: Server, scheme: "http" | "https", requests: SeenRequest[]): Promise<TestServer> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        // Handlers that never answer hold connections open; drop them so close() finishes.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function wrap(handler: Handler, requests: SeenRequest[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const seen = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(seen);
      handler(seen, res);
    });
  };
}

/** Starts an HTTP server on 127.0.0.1 with an ephemeral port. */
export function startServer(handler: Handler): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  return listen(createHttpServer(wrap(handler, requests)), "http", requests);
}

/** Starts an HTTPS server on 127.0.0.1 with the given (self-signed) certificate. */
export function startTlsServer(tls: { key: string; cert: string }, handler: Handler): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  return listen(createHttpsServer(tls, wrap(handler, requests)), "https", requests);
}

/** A port that was listening a moment ago and is now closed, so connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const s = await startServer((_req, res) => res.end());
  await s.close();
  return s.port;
}

/** Answers with a status, a content type and a body. */
export function reply(res: ServerResponse, status: number, body: string, contentType = "application/json"): void {
  res.writeHead(status, { "content-type": contentType });
  res.end(body);
}

/** Answers request number `n` (from 0) with the status `answer(n)` gives ("boom" as the body of an error), or never with `"hang"`. */
export function startScriptedServer(answer: (n: number) => number | "hang" = () => 200): Promise<TestServer> {
  let n = 0;
  return startServer((_req, res) => {
    const status = answer(n++);
    if (status !== "hang") reply(res, status, status >= 300 ? "boom" : "ok", "text/plain");
  });
}
