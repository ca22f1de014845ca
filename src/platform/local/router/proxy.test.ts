import { EventEmitter } from "node:events";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { Dispatcher } from "undici";
import { describe, expect, it } from "vitest";
import { type Backend, compileConfig } from "./compile.js";
import { Exchange, hasBody } from "./proxy.js";
import { Telemetry } from "./telemetry.js";
import { UpstreamSet } from "./upstreams.js";

type Outcome = "ok" | "refused" | "reset" | "break-after-headers";

/** Pools that answer from a script per endpoint, so retry rules can be tested without sockets. */
function scriptedPools(script: Record<string, Outcome[]>) {
  const calls: string[] = [];
  const factory = (origin: string) => {
    const endpoint = origin.replace("http://", "");
    return {
      close: async () => {},
      dispatch(_opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) {
        calls.push(endpoint);
        const outcome = script[endpoint]?.shift() ?? "ok";
        queueMicrotask(() => {
          handler.onConnect?.(() => {});
          if (outcome === "refused" || outcome === "reset") {
            const code = outcome === "refused" ? "ECONNREFUSED" : "ECONNRESET";
            handler.onError?.(Object.assign(new Error(code), { code }));
            return;
          }
          const raw = ["Content-Type", "text/plain", "Connection", "keep-alive", "Keep-Alive", "timeout=5"];
          handler.onHeaders?.(
            200,
            raw.map((h) => Buffer.from(h)),
            () => {},
            "OK",
          );
          handler.onData?.(Buffer.from(endpoint));
          if (outcome === "break-after-headers") {
            handler.onError?.(Object.assign(new Error("reset"), { code: "ECONNRESET" }));
            return;
          }
          handler.onComplete?.([]);
        });
        return true;
      },
    } as unknown as Dispatcher;
  };
  return { calls, factory };
}

class FakeResponse extends EventEmitter {
  status = 0;
  headers: string[] = [];
  body = "";
  headersSent = false;
  destroyed = false;
  ended = false;
  writeHead(status: number, a?: unknown, b?: unknown) {
    this.status = status;
    this.headers = (typeof a === "string" ? b : a) as string[];
    this.headersSent = true;
    return this;
  }
  write(chunk: Buffer | string) {
    this.body += chunk.toString();
    return true;
  }
  end(chunk?: Buffer | string) {
    if (chunk) this.body += chunk.toString();
    this.ended = true;
    process.nextTick(() => this.emit("close"));
  }
  destroy() {
    this.destroyed = true;
    process.nextTick(() => this.emit("close"));
  }
}

function fakeRequest(method = "GET", headers: IncomingHttpHeaders = {}, readableDidRead = false): IncomingMessage {
  return {
    method,
    url: "/x",
    headers,
    rawHeaders: [],
    readableDidRead,
    socket: { remoteAddress: "127.0.0.1" },
  } as unknown as IncomingMessage;
}

function setup(script: Record<string, Outcome[]>, endpoints = ["127.0.0.1:1", "127.0.0.1:2"]) {
  const pools = scriptedPools(script);
  const upstreams = new UpstreamSet(pools.factory);
  const telemetry = new Telemetry();
  const compiled = compileConfig(
    {
      generation: 1,
      rollouts: [
        {
          rollout: "shop",
          hosts: [],
          backends: [{ revision: "v1", endpoints }],
          traffic: { weights: { v1: 100 }, headerRoutes: [], mirrorRoutes: [] },
        },
      ],
    },
    { upstreams, telemetry },
  );
  const backend = compiled.routes.get("shop")!.backends.get("v1")!;
  return { calls: pools.calls, backend, telemetry, upstreams };
}

async function run(backend: Backend, telemetry: Telemetry, req: IncomingMessage, setCookie?: string) {
  const res = new FakeResponse();
  new Exchange({ telemetry, log: () => {} }, req, res as unknown as ServerResponse, backend, [], setCookie).send();
  await new Promise<void>((resolve) => res.once("close", () => resolve()));
  return res;
}

const classes = (t: Telemetry) => t.summary("shop", 60)[0]!.byClass;

describe("Exchange", () => {
  it("streams the answer back with the revision header and a sticky cookie, without hop-by-hop headers", async () => {
    const { backend, telemetry, upstreams } = setup({});
    const res = await run(backend, telemetry, fakeRequest(), "s=v1; Path=/");
    expect(res.status).toBe(200);
    expect(res.body).toBe("127.0.0.1:1");
    expect(res.headers).toEqual([
      "Content-Type",
      "text/plain",
      "x-sluice-revision",
      "v1",
      "set-cookie",
      "s=v1; Path=/",
    ]);
    expect(classes(telemetry)["2xx"]).toBe(1);
    expect(upstreams.totalInflight()).toBe(0);
  });

  it("retries a refused connection once on another endpoint and ejects the refusing one", async () => {
    const { backend, telemetry, calls } = setup({ "127.0.0.1:1": ["refused"] });
    const res = await run(backend, telemetry, fakeRequest("POST"));
    expect(res.body).toBe("127.0.0.1:2");
    expect(calls).toEqual(["127.0.0.1:1", "127.0.0.1:2"]);
    expect(backend.upstreams[0]!.downUntil).toBeGreaterThan(Date.now());
    expect(classes(telemetry)).toMatchObject({ "2xx": 1, error: 0 });
  });

  it("retries a reset connection for an idempotent method only", async () => {
    const get = setup({ "127.0.0.1:1": ["reset"] });
    expect((await run(get.backend, get.telemetry, fakeRequest("GET"))).body).toBe("127.0.0.1:2");
    const post = setup({ "127.0.0.1:1": ["reset"] });
    const res = await run(post.backend, post.telemetry, fakeRequest("POST"));
    expect(res.status).toBe(502);
    expect(post.calls).toEqual(["127.0.0.1:1"]);
    expect(classes(post.telemetry)).toMatchObject({ error: 1 });
  });

  it("does not retry once the request body has been read", async () => {
    const { backend, telemetry, calls } = setup({ "127.0.0.1:1": ["reset"] });
    const req = fakeRequest("PUT", { "content-length": "5" }, true);
    const res = await run(backend, telemetry, req);
    expect(res.status).toBe(502);
    expect(calls).toHaveLength(1);
  });

  it("retries only once, then answers 502", async () => {
    const { backend, telemetry, calls, upstreams } = setup({ "127.0.0.1:1": ["refused"], "127.0.0.1:2": ["refused"] });
    const res = await run(backend, telemetry, fakeRequest());
    expect(res.status).toBe(502);
    expect(JSON.parse(res.body)).toMatchObject({ revision: "v1" });
    expect(calls).toHaveLength(2);
    expect(upstreams.totalInflight()).toBe(0);
  });

  it("retries on the same endpoint when it is the only one", async () => {
    const { backend, telemetry, calls } = setup({ "127.0.0.1:1": ["refused"] }, ["127.0.0.1:1"]);
    expect((await run(backend, telemetry, fakeRequest())).status).toBe(200);
    expect(calls).toEqual(["127.0.0.1:1", "127.0.0.1:1"]);
  });

  it("breaks the client connection when the upstream fails after the headers went out", async () => {
    const { backend, telemetry } = setup({ "127.0.0.1:1": ["break-after-headers"] });
    const res = await run(backend, telemetry, fakeRequest());
    expect(res.destroyed).toBe(true);
    expect(classes(telemetry)).toMatchObject({ "2xx": 0, error: 1 });
  });

  it("answers 503 when the revision has no endpoint, without counting it against the revision", async () => {
    const { backend, telemetry } = setup({}, []);
    const res = await run(backend, telemetry, fakeRequest());
    expect(res.status).toBe(503);
    // Not held against the revision: it never saw the request.
    expect(classes(telemetry)).toMatchObject({ error: 0 });
  });
});

describe("hasBody", () => {
  it("sees a body from Content-Length or Transfer-Encoding", () => {
    expect(hasBody(fakeRequest("GET"))).toBe(false);
    expect(hasBody(fakeRequest("POST", { "content-length": "0" }))).toBe(false);
    expect(hasBody(fakeRequest("POST", { "content-length": "3" }))).toBe(true);
    expect(hasBody(fakeRequest("POST", { "transfer-encoding": "chunked" }))).toBe(true);
  });
});
