import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LoadGenerator, type PhaseTraffic, record, versionOf } from "./load.js";

describe("record", () => {
  it("tracks the first bad request and the last one the bad revision answered", () => {
    const phase: PhaseTraffic = { requests: 0, errors: 0, skipped: 0, byRevision: {}, byVersion: {} };
    record(phase, 100, 200, "stable");
    record(phase, 110, 200, "canary");
    record(phase, 120, 500, "canary");
    record(phase, 130, 200, "canary");
    record(phase, 140, 0, "unknown");
    record(phase, 150, 200, "stable");
    expect(phase).toMatchObject({
      requests: 6,
      errors: 2,
      firstBadAt: 120,
      badRevision: "canary",
      lastBadRevisionAt: 130,
    });
    expect(phase.byRevision.canary).toEqual({ requests: 3, errors: 1 });
    expect(phase.byVersion).toEqual({});
  });

  it("counts answers by the version their body names", () => {
    const phase: PhaseTraffic = { requests: 0, errors: 0, skipped: 0, byRevision: {}, byVersion: {} };
    record(phase, 100, 200, "a", "1.0");
    record(phase, 110, 200, "b", "2.0");
    record(phase, 120, 500, "b", "2.0");
    record(phase, 130, 0, "unknown");
    expect(phase.byVersion).toEqual({ "1.0": 1, "2.0": 2 });
  });
});

describe("versionOf", () => {
  it("reads the version of a JSON body and nothing else", () => {
    expect(versionOf('{"version":"2.0","pid":1}')).toBe("2.0");
    expect(versionOf('{"version":2}')).toBeUndefined();
    expect(versionOf("null")).toBeUndefined();
    expect(versionOf("no rollout serves host")).toBeUndefined();
  });
});

describe("LoadGenerator", () => {
  let server: http.Server;
  let url = "";
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.setHeader("x-sluice-revision", req.headers.host === "b" ? "rev-b" : "rev-a");
      res.end(JSON.stringify({ version: req.headers.host === "b" ? "2.0" : "1.0" }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("sends at the asked rate and attributes responses to revisions", async () => {
    const load = new LoadGenerator({ url, host: "b", ratePerSecond: 200 });
    load.start();
    const deadline = Date.now() + 5_000;
    while (load.current().requests < 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    load.nextPhase();
    while (Date.now() - started < 500) await new Promise((r) => setTimeout(r, 20));
    const phase = await load.stop();
    // 0.5 s at 200 req/s is about 100 requests; allow for timer jitter on a busy machine.
    expect(phase.requests).toBeGreaterThan(60);
    expect(phase.requests).toBeLessThan(140);
    expect(phase.errors).toBe(0);
    expect(Object.keys(phase.byRevision)).toEqual(["rev-b"]);
    expect(phase.byVersion).toEqual({});
  });

  it("counts versions when asked", async () => {
    const load = new LoadGenerator({ url, host: "a", ratePerSecond: 100, countVersions: true });
    load.start();
    const deadline = Date.now() + 5_000;
    while (load.current().requests < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const phase = await load.stop();
    expect(phase.requests).toBeGreaterThanOrEqual(20);
    expect(phase.byVersion).toEqual({ "1.0": phase.requests });
  });
});
