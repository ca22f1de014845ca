import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** One request a {@link WebhookRecorder} received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Milliseconds since the recorder started. */
  at: number;
}

/** What the recorder answers to request number `n` (from 0): a status, or `"hang"` to never answer. */
export type RecorderAnswer = (n: number, req: RecordedRequest) => number | "hang";

/** A webhook on 127.0.0.1 for tests: records every request and answers as told. */
export interface WebhookRecorder {
  url: string;
  requests: RecordedRequest[];
  /** Parsed JSON bodies of the POSTs received so far. */
  bodies<T = Record<string, unknown>>(): T[];
  close(): Promise<void>;
}

/** Starts a {@link WebhookRecorder}; by default it answers 200 to everything. */
export async function startWebhookRecorder(answer: RecorderAnswer = () => 200): Promise<WebhookRecorder> {
  const started = Date.now();
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const recorded = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: Date.now() - started,
      };
      const status = answer(requests.length, recorded);
      requests.push(recorded);
      if (status !== "hang") res.writeHead(status, { "content-type": "text/plain" }).end(status >= 300 ? "boom" : "ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    bodies: <T>() => requests.filter((r) => r.method === "POST").map((r) => JSON.parse(r.body) as T),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
