import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../test/helpers/wait.js";
import { shutdownGracefully } from "./shutdown.js";
import { startTestServer, type TestServer } from "./test-server.js";

let current: TestServer | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

/** A GET over a keep-alive connection, resolving with status, Connection header and body. */
function get(url: string): Promise<{ status: number; connection: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { connection: "keep-alive" } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("shutdownGracefully", () => {
  it("lets an in-flight request finish with Connection: close, then stops listening", async () => {
    const s = await startTestServer();
    current = s;
    const slow = get(`${s.url}/api/slow?ms=300`);
    await waitFor(() => s.app.inFlight() === 1, { message: "slow request in flight" });
    const outcome = shutdownGracefully(s.server, s.app, { forceAfterMs: 5_000 });
    const res = await slow;
    expect(res.status).toBe(200);
    expect(res.connection).toBe("close");
    expect(await outcome).toBe("drained");
    expect(s.server.listening).toBe(false);
    await expect(get(`${s.url}/health`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it("returns at once when nothing is in flight", async () => {
    const s = await startTestServer();
    current = s;
    const t0 = performance.now();
    expect(await shutdownGracefully(s.server, s.app)).toBe("drained");
    expect(performance.now() - t0).toBeLessThan(1_000);
  });

  it("gives up on requests that outlast the deadline", async () => {
    const s = await startTestServer();
    current = s;
    const slow = get(`${s.url}/api/slow?ms=5000`).catch((err: Error) => err);
    await waitFor(() => s.app.inFlight() === 1, { message: "slow request in flight" });
    expect(await shutdownGracefully(s.server, s.app, { forceAfterMs: 100 })).toBe("forced");
    expect(await slow).toBeInstanceOf(Error);
  });
});
