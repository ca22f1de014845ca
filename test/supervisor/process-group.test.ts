import { type ChildProcess, spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { isSameProcess, processStartTime, terminateGroup } from "../../src/platform/local/supervisor/process-group.js";
import { waitFor } from "../helpers/wait.js";

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

/** A detached leader that starts a grandchild and prints its pid; `ignoreTerm` makes both ignore SIGTERM. */
async function leaderWithGrandchild(ignoreTerm: boolean): Promise<{ leader: ChildProcess; grandchild: number }> {
  const trap = ignoreTerm ? "process.on('SIGTERM', () => {});" : "";
  const script = `${trap} const c = require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(`${trap} setInterval(() => {}, 1000)`)}], { stdio: 'ignore' }); console.log(c.pid); setInterval(() => {}, 1000);`;
  const leader = spawn(process.execPath, ["-e", script], { detached: true, stdio: ["ignore", "pipe", "ignore"] });
  if (leader.pid) started.push(leader.pid);
  let out = "";
  leader.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  const grandchild = Number(
    await waitFor(() => /^\d+\n/.exec(out)?.[0], { timeoutMs: 5_000, message: "grandchild pid" }),
  );
  return { leader, grandchild };
}

describe("terminateGroup", () => {
  it("stops the leader and its children with SIGTERM", async () => {
    const { leader, grandchild } = await leaderWithGrandchild(false);
    const pid = leader.pid ?? 0;
    const token = processStartTime(pid);
    const childToken = processStartTime(grandchild);
    expect(await terminateGroup(pid, token, 3_000)).toBe("exited");
    expect(isSameProcess(pid, token)).toBe(false);
    await waitFor(() => !isSameProcess(grandchild, childToken), { timeoutMs: 3_000, message: "grandchild gone" });
  });

  it("SIGKILLs the group after the grace period when SIGTERM is ignored", async () => {
    const { leader, grandchild } = await leaderWithGrandchild(true);
    const pid = leader.pid ?? 0;
    const token = processStartTime(pid);
    const childToken = processStartTime(grandchild);
    const t0 = Date.now();
    expect(await terminateGroup(pid, token, 300)).toBe("killed");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    await waitFor(() => !isSameProcess(grandchild, childToken), { timeoutMs: 3_000, message: "grandchild gone" });
  });

  it("does nothing for a process that is not running", async () => {
    expect(await terminateGroup(999_999_999, "1", 1_000)).toBe("not running");
  });
});
