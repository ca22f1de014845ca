import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { appendSupervisorLine, lastLogLine, replicaLogPath, SUPERVISOR_MARK } from "./logs.js";

const dir = mkdtempSync(path.join(tmpdir(), "sluice-logs-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("replica logs", () => {
  it("names the file after rollout, revision and index", () => {
    expect(replicaLogPath("/state", "web", "abc123", 2)).toBe("/state/logs/web-abc123-2.log");
  });

  it("finds the app's last line, skipping supervisor lines and blank lines", () => {
    const file = path.join(dir, "a.log");
    writeFileSync(file, "first\nboom: cannot connect to db\n\n");
    appendSupervisorLine(file, "replica 0 exited with code 1");
    expect(lastLogLine(file)).toBe("boom: cannot connect to db");
    expect(lastLogLine(file, 10)).toBe("boom: can…");
  });

  it("reads only the tail of a large log", () => {
    const file = path.join(dir, "big.log");
    writeFileSync(file, `${"x".repeat(100_000)}\nthe end\n`);
    expect(lastLogLine(file)).toBe("the end");
  });

  it("has no last line for a missing file or one with only supervisor lines", () => {
    expect(lastLogLine(path.join(dir, "missing.log"))).toBeUndefined();
    const file = path.join(dir, "sup.log");
    writeFileSync(file, `${SUPERVISOR_MARK} starting\n`);
    expect(lastLogLine(file)).toBeUndefined();
  });

  it("does not throw when the log cannot be written", () => {
    expect(() => appendSupervisorLine(path.join(dir, "no", "such", "dir.log"), "x")).not.toThrow();
  });
});
