import { createServer, request } from "node:http";
import { describe, expect, it } from "vitest";
import { closeServer, listenOn } from "./listen.js";

describe("listenOn / closeServer", () => {
  it("binds an ephemeral port, reports it, and closes", async () => {
    const server = createServer((_req, res) => res.end("ok"));
    const address = await listenOn(server, "127.0.0.1:0");
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    const port = Number(address.split(":")[1]);
    expect(port).toBeGreaterThan(0);
    const body = await new Promise<string>((resolve, reject) => {
      request({ host: "127.0.0.1", port, path: "/" }, (res) => {
        let s = "";
        res.on("data", (c) => (s += c));
        res.on("end", () => resolve(s));
      })
        .on("error", reject)
        .end();
    });
    expect(body).toBe("ok");
    await closeServer(server, 1000);
    expect(server.listening).toBe(false);
  });

  it("rejects when the port is taken", async () => {
    const a = createServer();
    const address = await listenOn(a, "127.0.0.1:0");
    const b = createServer();
    await expect(listenOn(b, address)).rejects.toMatchObject({ code: "EADDRINUSE" });
    await closeServer(a, 1000);
  });
});
