import { describe, expect, it } from "vitest";
import { isSameProcess, processStartTime, readProcessStat, signalGroup, waitForExit } from "./process-group.js";

describe("process identity", () => {
  it("reads this process's state and start time", () => {
    const stat = readProcessStat(process.pid);
    expect(stat?.state).toMatch(/^[RSD]$/);
    expect(stat?.startTime).toMatch(/^\d+$/);
    expect(processStartTime(process.pid)).toBe(stat?.startTime);
  });

  it("recognises a process only with its own start time", () => {
    const token = processStartTime(process.pid);
    expect(isSameProcess(process.pid, token)).toBe(true);
    expect(isSameProcess(process.pid, "")).toBe(true);
    expect(isSameProcess(process.pid, `${token}1`)).toBe(false);
  });

  it("knows no process for impossible or unused pids", () => {
    expect(isSameProcess(0, "")).toBe(false);
    expect(isSameProcess(-5, "")).toBe(false);
    expect(isSameProcess(999_999_999, "")).toBe(false);
    expect(readProcessStat(999_999_999)).toBeUndefined();
    expect(processStartTime(999_999_999)).toBe("");
  });
});

describe("signalGroup and waitForExit", () => {
  it("never signals a pid whose start time does not match", () => {
    // Would terminate the test runner if the start time check were missing.
    expect(signalGroup(process.pid, "not-a-start-time", "SIGTERM")).toBe(false);
  });

  it("reports a process that is not that process as exited at once", async () => {
    expect(await waitForExit(process.pid, "not-a-start-time", 1000)).toBe(true);
  });

  it("times out while the process lives", async () => {
    const t0 = performance.now();
    expect(await waitForExit(process.pid, processStartTime(process.pid), 120, 20)).toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(110);
  });
});
