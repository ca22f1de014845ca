import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { rejectUpgrade } from "./websocket.js";

describe("rejectUpgrade", () => {
  it("writes a complete HTTP error response on the raw socket and ends it", async () => {
    const socket = new PassThrough();
    let written = "";
    socket.on("data", (c: Buffer) => (written += c.toString()));
    const ended = new Promise((resolve) => socket.on("end", resolve));
    rejectUpgrade(socket, 503, "no endpoint is ready");
    await ended;
    const [head, body] = written.split("\r\n\r\n");
    expect(head).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body!)}`);
    expect(JSON.parse(body!)).toEqual({ error: "no endpoint is ready" });
  });

  it("does nothing on a destroyed socket", () => {
    const socket = new PassThrough();
    socket.destroy();
    expect(() => rejectUpgrade(socket, 502, "x")).not.toThrow();
  });
});
