import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ComponentSet, groupAlive, logTail, stopRecordedGroups } from "../../scripts/k8s/processes.js";
import { waitFor } from "../helpers/wait.js";

const HOLDER = fileURLToPath(new URL("./fixtures/hold-components.ts", import.meta.url));

describe("ComponentSet", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "sluice-procs-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("runs each program in its own process group and stops them all", async () => {
    const set = new ComponentSet(dir);
    const a = set.start("a", "sleep", ["300"]);
    const b = set.start("b", "sh", ["-c", "sleep 300 & wait"]);
    expect(a.pid).not.toBe(b.pid);
    expect(groupAlive(a.pid) && groupAlive(b.pid)).toBe(true);
    await set.stop();
    expect(a.running() || b.running()).toBe(false);
    // b's grandchild sleep shares b's group, so the group must be gone, not just the shell.
    await waitFor(() => !groupAlive(a.pid) && !groupAlive(b.pid), { timeoutMs: 2_000 });
  });

  it("escalates to SIGKILL when a program ignores SIGTERM", async () => {
    const set = new ComponentSet(dir);
    const stubborn = set.start("stubborn", "sh", ["-c", "trap '' TERM; echo trapped; while :; do sleep 1; done"]);
    await waitFor(() => logTail(stubborn.logPath).includes("trapped"), { timeoutMs: 2_000 });
    const began = Date.now();
    await set.stop(300);
    expect(await stubborn.exited).toBe("signal SIGKILL");
    expect(Date.now() - began).toBeLessThan(3_000);
  });

  it("writes output to <name>.log and reports the exit code", async () => {
    const set = new ComponentSet(dir);
    const c = set.start("talker", "sh", ["-c", "echo hello from talker; exit 3"]);
    expect(await c.exited).toBe("code 3");
    expect(c.logPath).toBe(join(dir, "talker.log"));
    expect(logTail(c.logPath)).toContain("hello from talker");
    expect(logTail(c.logPath, 5)).toBe("…lker\n");
    await set.stop();
  });

  it("kills the groups when its Node process is SIGKILLed", async () => {
    const holder = spawn(process.execPath, ["--import", "tsx", HOLDER, dir], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    holder.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    const pid = await waitFor(() => Number.parseInt(out, 10) || undefined, { timeoutMs: 15_000 });
    expect(groupAlive(pid)).toBe(true);
    holder.kill("SIGKILL");
    await waitFor(() => !groupAlive(pid), { timeoutMs: 20_000, message: "orphaned group reaped by the watchdog" });
  });

  it("stopRecordedGroups stops groups it did not start", async () => {
    const set = new ComponentSet(dir, false);
    const c = set.start("detached", "sleep", ["300"]);
    await stopRecordedGroups(set.pids(), 2_000);
    expect(await c.exited).toBe("signal SIGTERM");
    expect(groupAlive(c.pid)).toBe(false);
  });
});
