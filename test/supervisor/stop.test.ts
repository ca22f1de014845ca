import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isSameProcess } from "../../src/platform/local/supervisor/process-group.js";
import { waitFor } from "../helpers/wait.js";
import { demoTemplate, getJson, Harness, readyEndpoints } from "./fixture.js";

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(async () => {
  await h.cleanup();
});

describe("Supervisor: stopping a replica", () => {
  it("drains it before SIGTERM, and a slow in-flight request still completes", async () => {
    const drains: { endpoint: string; alive: boolean; routed: boolean; requestDone: boolean }[] = [];
    let requestDone = false;
    const s = h.supervisor({
      drain: async (endpoint) => {
        const r = h.registry.list()[0];
        drains.push({
          endpoint,
          alive: r !== undefined && isSameProcess(r.pid, r.startTime),
          routed: s.endpoints("web").some((b) => b.endpoints.includes(endpoint)),
          requestDone,
        });
      },
    });
    s.ensure("web", "abc123", demoTemplate(), 1);
    const [endpoint] = await readyEndpoints(s, "web", 1);
    if (!endpoint) throw new Error("no endpoint");
    const slow = getJson(`http://${endpoint}/api/slow?ms=1500`).then((res) => {
      requestDone = true;
      return res;
    });
    await waitFor(
      async () => {
        const res = await fetch(`http://${endpoint}/metrics`, { headers: { connection: "close" } });
        return (await res.text()).includes("http_requests_in_flight 1");
      },
      { message: "slow request in flight" },
    );
    const record = h.registry.list()[0];
    await s.remove("web", "abc123");
    expect(drains).toEqual([{ endpoint, alive: true, routed: false, requestDone: false }]);
    const res = await slow;
    expect(res.status).toBe(200);
    expect(res.body.sleptMs).toBe(1500);
    expect(record && isSameProcess(record.pid, record.startTime)).toBe(false);
    const log = readFileSync(`${h.stateDir}/logs/web-abc123-0.log`, "utf8");
    expect(log).toMatch(/stopping replica 0[\s\S]*SIGTERM: draining 1 in-flight request\(s\)[\s\S]*stopped cleanly/);
    expect(log).not.toContain("killed it");
  });

  it("SIGKILLs a replica that ignores SIGTERM past the grace period", async () => {
    const s = h.supervisor();
    const template = demoTemplate(
      {},
      {
        command: process.execPath,
        args: [
          "-e",
          "process.on('SIGTERM', () => {}); require('node:http').createServer((q, r) => r.end('ok')).listen(+process.env.PORT, '127.0.0.1')",
        ],
        readinessProbe: undefined,
        terminationGracePeriodSeconds: 0.5,
      },
    );
    s.ensure("web", "stub00", template, 1);
    await waitFor(() => s.observe("web")[0]?.ready === 1, { timeoutMs: 10_000, message: "ready via TCP" });
    const record = h.registry.list()[0];
    const t0 = Date.now();
    await s.remove("web", "stub00");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
    expect(record && isSameProcess(record.pid, record.startTime)).toBe(false);
    expect(readFileSync(`${h.stateDir}/logs/web-stub00-0.log`, "utf8")).toContain(
      "did not stop within 0.5 s; killed it",
    );
  });
});
