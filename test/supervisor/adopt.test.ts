import { spawn } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isSameProcess, processStartTime } from "../../src/platform/local/supervisor/process-group.js";
import { waitFor } from "../helpers/wait.js";
import { demoTemplate, Harness, pidsOf, readyEndpoints } from "./fixture.js";

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(async () => {
  await h.cleanup();
});

/** Asserts `cond` keeps holding for `ms`, checking every 50 ms. */
async function holdsFor(cond: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    expect(cond()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const pids = () =>
  h.registry
    .list()
    .map((r) => r.pid)
    .sort((a, b) => a - b);

describe("Supervisor: adoption after a controller restart", () => {
  it("re-adopts running replicas with the same pids, ready at once, without restarting them", async () => {
    const template = demoTemplate();
    const first = h.supervisor();
    first.ensure("web", "abc123", template, 2);
    const endpoints = await readyEndpoints(first, "web", 2);
    const before = pids();
    await first.detach();
    expect(
      h
        .alive()
        .map((r) => r.pid)
        .sort((a, b) => a - b),
    ).toEqual(before);

    // A record of a process that is gone, and a live process whose revision no longer exists.
    h.registry.save({
      id: "web-dead00-0",
      rollout: "web",
      revision: "dead00",
      index: 0,
      pid: 999_999_999,
      port: 1,
      startTime: "1",
    });
    const orphan = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { detached: true, stdio: "ignore" });
    orphan.unref();
    const orphanPid = orphan.pid ?? 0;
    h.registry.save({
      id: "gone-fff000-0",
      rollout: "gone",
      revision: "fff000",
      index: 0,
      pid: orphanPid,
      port: 2,
      startTime: processStartTime(orphanPid),
    });

    const second = h.supervisor();
    await second.adopt((rollout, revision) => (rollout === "web" && revision === "abc123" ? template : undefined));
    expect(second.observe("web")).toEqual([{ hash: "abc123", replicas: 2, ready: 2 }]);
    expect(second.endpoints("web")[0]?.endpoints.sort()).toEqual([...endpoints].sort());
    expect(await pidsOf(endpoints)).toEqual(before);
    expect(pids()).toEqual(before);
    expect(isSameProcess(orphanPid, processStartTime(orphanPid))).toBe(false);
    expect(h.registry.list().map((r) => r.rollout)).toEqual(["web", "web"]);

    second.ensure("web", "abc123", template, 2);
    await holdsFor(() => second.observe("web")[0]?.ready === 2 && pids().join() === before.join(), 1_500);
  });

  it("keeps a replica the router was serving in routing through a slow probe, until the failure threshold", async () => {
    const template = demoTemplate();
    const first = h.supervisor();
    first.ensure("web", "abc123", template, 2);
    const endpoints = [...(await readyEndpoints(first, "web", 2))].sort();
    await first.detach();
    // Frozen processes answer no probe: as a replica too busy to answer within the timeout.
    const frozen = h.registry.list().map((r) => r.pid);
    for (const pid of frozen) process.kill(pid, "SIGSTOP");
    try {
      const second = h.supervisor();
      const served = endpoints[0] ?? "";
      await second.adopt(() => template, new Set([served]));
      // The one that was served stays; the other, never seen serving, waits for a passing probe.
      expect(second.endpoints("web")[0]?.endpoints).toEqual([served]);
      // failureThreshold 2 at a 0.5 s period (1 s timeout): it leaves routing after two misses.
      await waitFor(() => second.observe("web")[0]?.ready === 0, {
        timeoutMs: 10_000,
        message: "the frozen replica to leave routing",
      });
    } finally {
      for (const pid of frozen) process.kill(pid, "SIGCONT");
    }
  });

  it("restarts an adopted replica that dies", async () => {
    const template = demoTemplate();
    const first = h.supervisor();
    first.ensure("web", "abc123", template, 1);
    await readyEndpoints(first, "web", 1);
    await first.detach();
    const second = h.supervisor();
    await second.adopt(() => template);
    const [old] = h.registry.list();
    if (!old) throw new Error("no replica recorded");
    process.kill(old.pid, "SIGKILL");
    await waitFor(() => h.registry.list()[0]?.pid !== old.pid && second.observe("web")[0]?.ready === 1, {
      timeoutMs: 20_000,
      message: "adopted replica restarted",
    });
  });
});

describe("Supervisor: restartAt", () => {
  it("replaces every replica with a new process while keeping the desired number ready", async () => {
    const template = demoTemplate();
    const s = h.supervisor();
    s.ensure("web", "abc123", template, 2);
    await readyEndpoints(s, "web", 2);
    const before = h.registry.list();
    let minReady = Number.POSITIVE_INFINITY;
    let maxReplicas = 0;
    const watch = setInterval(() => {
      const obs = s.observe("web")[0];
      minReady = Math.min(minReady, obs?.ready ?? 0);
      maxReplicas = Math.max(maxReplicas, obs?.replicas ?? 0);
    }, 10);
    try {
      s.ensure("web", "abc123", template, 2, "2026-01-01T00:00:00Z");
      await waitFor(
        () =>
          h.registry.list().length === 2 &&
          h.registry.list().every((r) => r.restartAt === "2026-01-01T00:00:00Z") &&
          before.every((r) => !isSameProcess(r.pid, r.startTime)) &&
          s.observe("web")[0]?.ready === 2,
        { timeoutMs: 40_000, message: "all replicas replaced" },
      );
    } finally {
      clearInterval(watch);
    }
    expect(minReady).toBeGreaterThanOrEqual(2);
    expect(maxReplicas).toBe(3);
    const after = pids();
    expect(after.some((pid) => before.some((r) => r.pid === pid))).toBe(false);
    expect(await pidsOf(s.endpoints("web")[0]?.endpoints ?? [])).toEqual(after);

    // Scaling without a restartAt (scaleRevision) keeps the processes.
    s.ensure("web", "abc123", template, 2);
    await holdsFor(() => pids().join() === after.join(), 1_000);
  });
});
