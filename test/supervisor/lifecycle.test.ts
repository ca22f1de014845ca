import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isSameProcess } from "../../src/platform/local/supervisor/process-group.js";
import { waitFor } from "../helpers/wait.js";
import { demoTemplate, getJson, Harness, pidsOf, readyEndpoints } from "./fixture.js";

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(async () => {
  await h.cleanup();
});

describe("Supervisor: running replicas", () => {
  it("starts replicas on distinct ports that answer HTTP and reports them ready", async () => {
    const s = h.supervisor();
    s.ensure("web", "abc123", demoTemplate({ VERSION: "2.0" }), 2);
    expect(s.observe("web")).toEqual([{ hash: "abc123", replicas: 2, ready: 0 }]);
    const endpoints = await readyEndpoints(s, "web", 2);
    expect(new Set(endpoints).size).toBe(2);
    for (const e of endpoints) {
      expect(e).toMatch(/^127\.0\.0\.1:\d+$/);
      const res = await getJson(`http://${e}/`);
      expect(res.status).toBe(200);
      expect(res.body.version).toBe("2.0");
    }
    expect(s.observe("web")).toEqual([{ hash: "abc123", replicas: 2, ready: 2 }]);
    const records = h.registry.list().sort((a, b) => a.index - b.index);
    expect(records.map((r) => r.index)).toEqual([0, 1]);
    expect(records.map((r) => `127.0.0.1:${r.port}`).sort()).toEqual([...endpoints].sort());
    expect(await pidsOf(endpoints)).toEqual(records.map((r) => r.pid).sort((a, b) => a - b));
    expect(h.changes).toBeGreaterThan(0);
    expect(s.observe("other")).toEqual([]);
  });

  it("scales up and down, stopping the highest indexes first", async () => {
    const s = h.supervisor();
    const template = demoTemplate();
    s.ensure("web", "abc123", template, 1);
    await readyEndpoints(s, "web", 1);
    s.ensure("web", "abc123", template, 3);
    await readyEndpoints(s, "web", 3);
    expect(
      h.registry
        .list()
        .map((r) => r.index)
        .sort(),
    ).toEqual([0, 1, 2]);
    const before = h.registry.list();
    s.ensure("web", "abc123", template, 1);
    await waitFor(() => h.registry.list().length === 1, { timeoutMs: 15_000, message: "scaled down to 1" });
    expect(h.registry.list()[0]?.index).toBe(0);
    for (const r of before) expect(isSameProcess(r.pid, r.startTime)).toBe(r.index === 0);
    expect(s.observe("web")).toEqual([{ hash: "abc123", replicas: 1, ready: 1 }]);
    expect(s.endpoints("web")[0]?.endpoints).toHaveLength(1);
  });

  it("remove() stops the revision's processes and forgets it", async () => {
    const s = h.supervisor();
    s.ensure("web", "abc123", demoTemplate(), 1);
    s.ensure("web", "def456", demoTemplate({ VERSION: "2.0" }), 1);
    await waitFor(() => s.observe("web").every((r) => r.ready === 1), { timeoutMs: 20_000, message: "both ready" });
    const [old] = h.registry.list().filter((r) => r.revision === "abc123");
    await s.remove("web", "abc123");
    expect(old && isSameProcess(old.pid, old.startTime)).toBe(false);
    expect(s.observe("web").map((r) => r.hash)).toEqual(["def456"]);
    expect(h.registry.list().map((r) => r.revision)).toEqual(["def456"]);
  });

  it("stopAll() leaves no process behind", async () => {
    const s = h.supervisor();
    s.ensure("web", "abc123", demoTemplate(), 2);
    s.ensure("api", "fff000", demoTemplate(), 1);
    await waitFor(() => h.alive().length === 3 && s.endpoints("web")[0]?.endpoints.length === 2, {
      timeoutMs: 20_000,
      message: "three replicas running",
    });
    const pids = h.alive();
    await s.stopAll();
    for (const r of pids) expect(isSameProcess(r.pid, r.startTime)).toBe(false);
    expect(h.registry.list()).toEqual([]);
    expect(s.observe("web")).toEqual([]);
    expect(() => s.ensure("web", "abc123", demoTemplate(), 1)).toThrow(/detached or stopped/);
  });
});
