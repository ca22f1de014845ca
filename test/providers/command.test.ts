import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommandMetricProvider } from "../../src/analysis/providers/command.js";
import { Metric } from "../../src/model/index.js";
import { waitFor } from "../helpers/wait.js";

const ctx = { args: {}, rollout: "web", canaryRevision: "c1" };
const provider = new CommandMetricProvider();
const NODE = process.execPath;

function metric(command: Record<string, unknown>) {
  return Metric.parse({ name: "check", provider: { command } });
}

/** Gone means no such process, or a zombie waiting for a reaper that is not ours. */
function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

/** Live (not zombie) processes in a process group, read from /proc. */
function liveGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(pgrp) === pgid && state !== "Z") members.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

// A node script that starts a sleeping child in the same process group, records both pids, then
// either sleeps too or exits at once.
function spawnerScript(pidFile: string, parentSleeps: boolean): string {
  return `
    const { spawn } = require("node:child_process");
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    require("node:fs").writeFileSync(${JSON.stringify(pidFile)}, JSON.stringify([process.pid, child.pid]));
    ${parentSleeps ? "setTimeout(() => {}, 60000);" : "child.unref(); console.log('true');"}
  `;
}

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sluice-cmd-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readPids(file: string): Promise<number[]> {
  return waitFor(async () => JSON.parse(await readFile(file, "utf8")) as number[], { message: `pids in ${file}` });
}

describe("command provider running real processes", () => {
  it("parses JSON from stdout, with env and cwd applied, and records the argv", async () => {
    const script = "console.log(JSON.stringify({ rate: Number(process.env.RATE), cwd: process.cwd() }))";
    const r = await provider.measure(
      metric({ command: [NODE, "-e", script], env: [{ name: "RATE", value: "0.93" }], cwd: dir }),
      ctx,
    );
    expect(r.value).toEqual({ rate: 0.93, cwd: dir });
    expect(r.query).toContain("-e 'console.log(");
  });

  it("never goes through a shell", async () => {
    const r = await provider.measure(metric({ command: ["echo", "$HOME;", "`id`"], result: "exitCode" }), ctx);
    expect(r.value).toBe(true);
    const json = await provider.measure(
      metric({ command: [NODE, "-e", "console.log(JSON.stringify(process.argv[1]))", "$HOME"] }),
      ctx,
    );
    expect(json.value).toBe("$HOME");
  });

  it("exitCode mode: exit 0 is true, exit 1 is false", async () => {
    expect(
      (await provider.measure(metric({ command: [NODE, "-e", "process.exit(0)"], result: "exitCode" }), ctx)).value,
    ).toBe(true);
    expect(
      (await provider.measure(metric({ command: [NODE, "-e", "process.exit(1)"], result: "exitCode" }), ctx)).value,
    ).toBe(false);
  });

  it("json mode: a non-zero exit is an error with the last stderr line", async () => {
    const script = "console.error('connecting'); console.error('metric not found'); process.exit(3)";
    const r = await provider.measure(metric({ command: [NODE, "-e", script] }), ctx);
    expect(r.error).toMatch(/exited with code 3: metric not found; run it by hand/);
  });

  it("json mode: empty output and output that is not JSON are errors", async () => {
    expect((await provider.measure(metric({ command: [NODE, "-e", ""] }), ctx)).error).toMatch(/printed nothing/);
    const nan = await provider.measure(metric({ command: [NODE, "-e", "console.log('NaN')"] }), ctx);
    expect(nan.error).toMatch(/not JSON \(NaN\)/);
  });

  it("reports a command that does not exist", async () => {
    const r = await provider.measure(metric({ command: ["/nonexistent/sluice-check"], result: "exitCode" }), ctx);
    expect(r.error).toMatch(/could not start \(ENOENT/);
    expect(r.value).toBeUndefined();
  });

  it("on timeout kills the whole process group, children included", async () => {
    const pidFile = join(dir, "timeout.json");
    const started = Date.now();
    const r = await provider.measure(
      metric({ command: [NODE, "-e", spawnerScript(pidFile, true)], timeoutSeconds: 1 }),
      ctx,
    );
    expect(r.error).toMatch(/timed out after 1s and its process group was killed/);
    expect(Date.now() - started).toBeLessThan(10_000);
    const pids = await readPids(pidFile);
    expect(pids).toHaveLength(2);
    for (const pid of pids) await waitFor(() => processGone(pid), { timeoutMs: 5_000, message: `process ${pid} gone` });
    // The command led its own group (detached), so the group id is its pid.
    await waitFor(() => liveGroupMembers(pids[0]!).length === 0, { timeoutMs: 5_000, message: "process group empty" });
  });

  it("kills background children a finished check left behind", async () => {
    const pidFile = join(dir, "leftover.json");
    const r = await provider.measure(metric({ command: [NODE, "-e", spawnerScript(pidFile, false)] }), ctx);
    expect(r.value).toBe(true);
    const [, child] = await readPids(pidFile);
    await waitFor(() => processGone(child!), { timeoutMs: 5_000, message: "left-over child gone" });
  });

  it("kills the process group when the measurement is cancelled", async () => {
    const pidFile = join(dir, "cancel.json");
    const ac = new AbortController();
    const measuring = provider.measure(metric({ command: [NODE, "-e", spawnerScript(pidFile, true)] }), {
      ...ctx,
      signal: ac.signal,
    });
    const pids = await readPids(pidFile);
    // Both share the group the command leads, which is what lets one kill reach them all.
    expect(liveGroupMembers(pids[0]!).sort()).toEqual([...pids].sort());
    ac.abort();
    const r = await measuring;
    expect(r.error).toMatch(/cancelled/);
    await waitFor(() => liveGroupMembers(pids[0]!).length === 0, { timeoutMs: 5_000, message: "process group empty" });
    for (const pid of pids) await waitFor(() => processGone(pid), { timeoutMs: 5_000, message: `process ${pid} gone` });
  });
});
