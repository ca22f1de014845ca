import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { waitFor } from "../../../../test/helpers/wait.js";
import { ProcessTemplate } from "../../../model/workload.js";
import { MemoryReplicaRegistry } from "./registry.js";
import { Replica, type ReplicaContext } from "./replica.js";

// These tests use a command that cannot be started, so no replica process ever runs; the
// supervisor tests in test/supervisor/ run the real demo app.
const stateDir = mkdtempSync(path.join(tmpdir(), "sluice-replica-"));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

const missing = ProcessTemplate.parse({ command: "/nonexistent/sluice-replica-test" });

function context(overrides: Partial<ReplicaContext> = {}): ReplicaContext & { changes: number } {
  const ctx = {
    rollout: "web",
    revision: `r${Math.random().toString(16).slice(2, 8)}`,
    stateDir,
    registry: new MemoryReplicaRegistry(),
    template: () => missing,
    crashLoopThreshold: 3,
    crashLoopWindowMs: 60_000,
    neverReadyMs: 60_000,
    backoff: { initialMs: 10, maxMs: 20 },
    changes: 0,
    changed() {
      ctx.changes += 1;
    },
    ...overrides,
  };
  return ctx;
}

const starts = (r: Replica): number => readFileSync(r.logPath, "utf8").match(/starting replica/g)?.length ?? 0;

describe("Replica that cannot start", () => {
  it("retries with backoff and reports a crash loop after the threshold", async () => {
    // The message as it is when the crash loop is first reported: polling could see a later
    // failure's count instead, as the replica keeps retrying every 10-20 ms.
    let firstReport: string | undefined;
    const ctx = context({
      changed() {
        ctx.changes += 1;
        firstReport ??= r.crashLoop;
      },
    });
    const r = new Replica(ctx, 0, undefined);
    r.start();
    const message = await waitFor(() => firstReport, { timeoutMs: 5_000, message: "crash loop" });
    expect(message).toMatch(
      /^replica 0 could not start: command \/nonexistent\/sluice-replica-test was not found \(spec\.template\.process\.command; give a path or put it on PATH\) three times in \d+ s; its log is empty$/,
    );
    expect(r.ready).toBe(false);
    expect(r.routable).toBe(false);
    expect(ctx.registry.list()).toEqual([]);
    expect(ctx.changes).toBeGreaterThanOrEqual(3);
    expect(r.logPath).toBe(path.join(stateDir, "logs", `web-${ctx.revision}-0.log`));
    await r.stop();
  });

  it("stops retrying once stopped", async () => {
    const r = new Replica(context({ backoff: { initialMs: 30, maxMs: 30 } }), 1, undefined);
    r.start();
    await waitFor(() => r.phase === "backoff", { message: "first failure" });
    await r.stop();
    expect(r.phase).toBe("stopped");
    expect(r.isStopping).toBe(true);
    const count = starts(r);
    const until = Date.now() + 200;
    while (Date.now() < until) {
      expect(starts(r)).toBe(count);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  it("stops retrying once detached", async () => {
    const r = new Replica(context({ backoff: { initialMs: 30, maxMs: 30 } }), 2, undefined);
    r.start();
    await waitFor(() => r.phase === "backoff", { message: "first failure" });
    r.detach();
    const count = starts(r);
    const until = Date.now() + 200;
    while (Date.now() < until) {
      expect(starts(r)).toBe(count);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  it("reports it as never ready once the supervisor's patience runs out", async () => {
    const ctx = context({ neverReadyMs: 0, backoff: { initialMs: 60_000 } });
    const r = new Replica(ctx, 3, "2026-01-01T00:00:00Z");
    expect(r.restartAt).toBe("2026-01-01T00:00:00Z");
    r.start();
    await waitFor(() => r.phase === "backoff", { message: "first failure" });
    r.tick(Date.now());
    expect(r.neverReady).toMatch(/^replica 3 is not ready after \d+ s \(it keeps exiting\); its log is empty$/);
    await r.stop();
  });
});
