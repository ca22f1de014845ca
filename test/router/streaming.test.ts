import { once } from "node:events";
import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../helpers/wait.js";
import { type Backend, config, type RouterProcess, removeDir, route, startBackend, startRouter } from "./harness.js";

let router: RouterProcess;
let backend: Backend;
/** Chunks the backend has received of the current upload. */
let received: string[] = [];
/** Lets the backend finish its streamed response. */
let finishResponse: () => void = () => {};

beforeAll(async () => {
  router = await startRouter();
  backend = await startBackend("echo", (req, res) => {
    if (req.url === "/upload") {
      received = [];
      req.setEncoding("utf8");
      req.on("data", (c: string) => received.push(c));
      req.on("end", () => res.end(`got ${received.join("")}`));
      return;
    }
    if (req.url === "/download") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("first;");
      finishResponse = () => res.end("last");
      return;
    }
    req.resume();
    res.end(JSON.stringify({ headers: req.headers }));
  });
  backend.server.on("upgrade", (req, socket, head) => {
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Seen-Forwarded-For: ${req.headers["x-forwarded-for"]}\r\n\r\n`,
    );
    if (head.length > 0) socket.write(head);
    socket.pipe(socket);
  });
  await router.client.putConfig(config(1, route("shop", { echo: [backend.endpoint] }, { echo: 100 })));
});

afterAll(async () => {
  await router?.stop();
  await backend?.close();
  if (router) removeDir(router.stateDir);
});

const port = () => Number(new URL(router.url).port);

describe("router streaming", () => {
  it("streams a POST body to the backend before the client has finished sending it", async () => {
    const req = request({ host: "127.0.0.1", port: port(), method: "POST", path: "/upload" });
    const answer = once(req, "response");
    req.write("part-one;");
    // The backend sees the first part while the request is still open: the router does not buffer.
    await waitFor(() => received.join("") === "part-one;", { message: "first part at the backend" });
    req.end("part-two");
    const [res] = (await answer) as [import("node:http").IncomingMessage];
    res.setEncoding("utf8");
    let body = "";
    for await (const c of res) body += c;
    expect(body).toBe("got part-one;part-two");
  });

  it("streams a response to the client before the backend has finished it", async () => {
    const req = request({ host: "127.0.0.1", port: port(), path: "/download" });
    req.end();
    const [res] = (await once(req, "response")) as [import("node:http").IncomingMessage];
    res.setEncoding("utf8");
    expect(res.headers["x-sluice-revision"]).toBe("echo");
    const chunks: string[] = [];
    res.on("data", (c: string) => chunks.push(c));
    await waitFor(() => chunks.join("") === "first;", { message: "first chunk at the client" });
    finishResponse();
    await once(res, "end");
    expect(chunks.join("")).toBe("first;last");
  });

  it("strips hop-by-hop headers and sets X-Forwarded-*", async () => {
    const req = request({
      host: "127.0.0.1",
      port: port(),
      path: "/headers",
      headers: { "x-forwarded-for": "10.1.2.3", "keep-alive": "timeout=5", te: "trailers", "x-keep": "yes" },
    });
    req.end();
    const [res] = (await once(req, "response")) as [import("node:http").IncomingMessage];
    let text = "";
    for await (const c of res) text += c;
    const { headers } = JSON.parse(text) as { headers: Record<string, string> };
    expect(headers["x-forwarded-for"]).toBe("10.1.2.3, 127.0.0.1");
    expect(headers["x-forwarded-proto"]).toBe("http");
    expect(headers["x-forwarded-host"]).toBe(new URL(router.url).host);
    expect(headers["keep-alive"]).toBeUndefined();
    expect(headers.te).toBeUndefined();
    expect(headers["x-keep"]).toBe("yes");
    expect(res.headers["x-sluice-revision"]).toBe("echo");
  });

  it("passes a WebSocket upgrade through and echoes bytes both ways", async () => {
    const socket = connect(port(), "127.0.0.1");
    await once(socket, "connect");
    socket.write(
      "GET /ws HTTP/1.1\r\nHost: shop\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    );
    let data = "";
    socket.setEncoding("latin1");
    socket.on("data", (c: string) => (data += c));
    await waitFor(() => data.includes("\r\n\r\n"), { message: "upgrade response" });
    expect(data.startsWith("HTTP/1.1 101")).toBe(true);
    expect(data).toContain("X-Seen-Forwarded-For: 127.0.0.1");
    const afterHead = data.length;
    socket.write("ping-\u00ff", "latin1");
    await waitFor(() => data.slice(afterHead) === "ping-\u00ff", { message: "echo through the tunnel" });
    socket.destroy();
  });
});
