import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RouterError } from "./errors.js";
import { RouterClient } from "./router-client.js";

describe("RouterClient", () => {
  it("reports a missing router as unhealthy and fails calls with RouterError carrying the cause", async () => {
    const client = new RouterClient(path.join(tmpdir(), `sluice-missing-${process.pid}.sock`));
    expect(await client.healthy()).toBe(false);
    const err = await client.inflight("127.0.0.1:1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RouterError);
    expect((err as RouterError).cause).toMatchObject({ code: "ENOENT" });
    await client.close();
    await client.close();
  });

  it("turns a non-JSON or malformed answer into RouterError", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sluice-client-"));
    const socketPath = path.join(dir, "router.sock");
    const server = createServer((req, res) => {
      if (req.url?.startsWith("/inflight")) res.end(JSON.stringify({ nope: 1 }));
      else res.end("<html>");
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    const client = new RouterClient(socketPath);
    try {
      await expect(client.getConfig()).rejects.toThrow(/non-JSON/);
      await expect(client.inflight("127.0.0.1:1")).rejects.toThrow(/no count/);
      await expect(client.getTelemetry("shop", 60)).rejects.toBeInstanceOf(RouterError);
    } finally {
      await client.close();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
