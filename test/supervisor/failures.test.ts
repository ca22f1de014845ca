import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isSameProcess } from "../../src/platform/local/supervisor/process-group.js";
import { waitFor } from "../helpers/wait.js";
import { demoTemplate, Harness } from "./fixture.js";

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(async () => {
  await h.cleanup();
});

const record = () => h.registry.list()[0];

describe("Supervisor: failing replicas", () => {
  it("reports a crash-looping revision with the exit and the last log line", async () => {
    const s = h.supervisor();
    s.ensure("web", "bad111", demoTemplate({ CRASH_AFTER_SECONDS: "0" }), 1);
    const obs = await waitFor(() => s.observe("web")[0]?.crashLooping, {
      timeoutMs: 20_000,
      message: "crashLooping reported",
    });
    expect(obs.message).toMatch(
      /^replica 0 exited with code 1 three times in \d+ s; last log line: .*crashing at start/,
    );
    expect(s.observe("web")[0]).toMatchObject({ hash: "bad111", replicas: 1, ready: 0 });
    expect(s.endpoints("web")).toEqual([{ revision: "bad111", endpoints: [] }]);
    const log = readFileSync(`${h.stateDir}/logs/web-bad111-0.log`, "utf8");
    expect(log.match(/--- sluice: .* starting replica 0/g)?.length).toBeGreaterThanOrEqual(3);
  });

  it("restarts a replica killed with SIGKILL", async () => {
    const s = h.supervisor();
    s.ensure("web", "abc123", demoTemplate(), 1);
    await waitFor(() => s.observe("web")[0]?.ready === 1, { timeoutMs: 20_000, message: "ready" });
    const first = record();
    if (!first) throw new Error("no replica recorded");
    process.kill(first.pid, "SIGKILL");
    await waitFor(() => s.observe("web")[0]?.ready === 0, { timeoutMs: 5_000, message: "not ready after the kill" });
    const second = await waitFor(
      () => {
        const r = record();
        return r && r.pid !== first.pid && s.observe("web")[0]?.ready === 1 ? r : undefined;
      },
      { timeoutMs: 20_000, message: "restarted and ready" },
    );
    expect(isSameProcess(second.pid, second.startTime)).toBe(true);
    expect(s.observe("web")[0]?.crashLooping).toBeUndefined();
    expect(readFileSync(`${h.stateDir}/logs/web-abc123-0.log`, "utf8")).toContain("replica 0 was killed by SIGKILL");
  });

  it("restarts a replica whose liveness probe keeps failing", async () => {
    const s = h.supervisor();
    const template = demoTemplate(
      {},
      {
        livenessProbe: {
          httpGet: { path: "/api/error" },
          initialDelaySeconds: 0.5,
          periodSeconds: 0.3,
          failureThreshold: 2,
        },
      },
    );
    s.ensure("web", "abc123", template, 1);
    const first = await waitFor(record, { timeoutMs: 10_000, message: "replica recorded" });
    await waitFor(() => record()?.pid !== first.pid, { timeoutMs: 20_000, message: "replica restarted" });
    expect(isSameProcess(first.pid, first.startTime)).toBe(false);
    expect(readFileSync(`${h.stateDir}/logs/web-abc123-0.log`, "utf8")).toContain(
      "was restarted after failing its liveness probe (GET /api/error: 500, 2 in a row)",
    );
  });

  it("reports replicas that never become ready", async () => {
    const s = h.supervisor({ neverReadySeconds: 2 });
    s.ensure("web", "slow22", demoTemplate({ READY_DELAY_MS: "600000" }), 1);
    const obs = await waitFor(() => s.observe("web")[0]?.neverReady, { timeoutMs: 10_000, message: "neverReady" });
    expect(obs.message).toMatch(
      /^replica 0 is not ready after \d+ s \(readiness probe: GET \/ready: 503\); last log line: .*listening on/,
    );
    expect(s.observe("web")[0]).toMatchObject({ replicas: 1, ready: 0 });
  });

  it("reports a command that cannot be started as crash-looping", async () => {
    const s = h.supervisor({ backoff: { initialMs: 50, maxMs: 100 } });
    s.ensure("web", "nope00", demoTemplate({}, { command: "/nonexistent/sluice-test-binary", args: [] }), 1);
    const obs = await waitFor(() => s.observe("web")[0]?.crashLooping, { timeoutMs: 10_000, message: "crashLooping" });
    expect(obs.message).toMatch(
      /^replica 0 could not start: command \/nonexistent\/sluice-test-binary was not found \(spec\.template\.process\.command; give a path or put it on PATH\) three times/,
    );
  });
});
