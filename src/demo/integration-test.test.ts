import { execFile } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INTEGRATION_TEST } from "./manifests.js";

/** Runs the integration test script against `url` and `host`; resolves with its exit code and output. */
function run(url: string, host: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [INTEGRATION_TEST, url, host], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("the demo's integration test script", () => {
  let server: http.Server;
  let url = "";
  let calls = 0;
  beforeAll(async () => {
    // Host "good" is a healthy service; "flaky" answers two versions; "broken" fails /.
    server = http.createServer((req, res) => {
      calls++;
      const host = req.headers.host;
      res.setHeader("content-type", "application/json");
      if (host === "broken" && req.url === "/") {
        res.statusCode = 500;
        return res.end("{}");
      }
      const version = host === "flaky" && calls % 2 === 0 ? "2.1" : "2.0";
      res.end(JSON.stringify(req.url === "/version" ? { version, features: { "new-api": true } } : { version }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("passes a service that answers one version with its features, sending the Host header it was given", async () => {
    const r = await run(url, "good");
    expect(r).toMatchObject({ code: 0, stdout: "integration test of good passed: version 2.0 on every call\n" });
  });

  it("fails a service that answers two versions, or fails /, naming what went wrong", async () => {
    const flaky = await run(url, "flaky");
    expect(flaky.code).toBe(1);
    expect(flaky.stderr).toContain("more than one version answered");
    const broken = await run(url, "broken");
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain("GET / answered 500");
  });

  it("fails when nothing listens, and without its arguments", async () => {
    const closed = await run("http://127.0.0.1:1", "good");
    expect(closed.code).toBe(1);
    expect(closed.stderr).toContain("ECONNREFUSED");
    const usage = await run("", "");
    expect(usage.code).toBe(2);
  });
});
