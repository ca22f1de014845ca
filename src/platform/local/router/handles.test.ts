import { once } from "node:events";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer, request } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BindError, bindTcp, bindUnix, listenOnHandle } from "./handles.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = "";
      res.on("data", (d) => {
        body += d;
      });
      res.on("end", () => resolve(body));
    })
      .on("error", reject)
      .end();
  });
}

describe("bindTcp", () => {
  it("binds a free port without listening, and a server then serves on it", async () => {
    const { handle, bound } = bindTcp("127.0.0.1:0");
    expect(bound).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    const server = createServer((_req, res) => res.end("served"));
    cleanups.push(() => server.close());
    expect(await listenOnHandle(server, handle)).toBe(bound);
    expect(await get(`http://${bound}/`)).toBe("served");
  });

  it("refuses an address in use instead of listening on a random port", async () => {
    const taken = createTcpServer().listen(0, "127.0.0.1");
    cleanups.push(() => taken.close());
    await once(taken, "listening");
    const address = `127.0.0.1:${(taken.address() as { port: number }).port}`;
    let err: unknown;
    try {
      bindTcp(address);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BindError);
    expect((err as BindError).code).toBe("EADDRINUSE");
    expect((err as BindError).message).toBe(`cannot bind ${address}: EADDRINUSE (address already in use)`);
  });
});

describe("bindUnix", () => {
  it("creates the socket file, which a server then listens on", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sluice-handles-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, "router.sock");
    const handle = bindUnix(file);
    expect(statSync(file).isSocket()).toBe(true);
    const server = createServer((_req, res) => res.end("admin"));
    cleanups.push(() => server.close());
    await listenOnHandle(server, handle);
    const body = await new Promise<string>((resolve, reject) => {
      request({ socketPath: file, path: "/" }, (res) => {
        let b = "";
        res.on("data", (d) => {
          b += d;
        });
        res.on("end", () => resolve(b));
      })
        .on("error", reject)
        .end();
    });
    expect(body).toBe("admin");
  });
});
