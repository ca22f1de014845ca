import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../../bin/sluice.js", import.meta.url));

/**
 * Pids of processes the demo started, found by a HOME unique to this run: replicas and the
 * router inherit it, and nothing else on the machine has it.
 */
function processesWithHome(home: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
      if (env.includes(`HOME=${home}`)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

describe("sluice demo --fast", () => {
  it("promotes the good canary, rolls back the bad one, switches blue-green, and cleans up", async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), "sluice-demo-home-"));
    const started = Date.now();
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, "demo", "--fast"], {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, HOME: home },
      });
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => {
        out += d;
      });
      child.stderr.on("data", (d) => {
        err += d;
      });
      const timer = setTimeout(() => child.kill("SIGINT"), 170_000);
      child.on("exit", (c) => {
        clearTimeout(timer);
        resolve({ code: c ?? 1, stdout: out, stderr: err });
      });
    });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    // --fast promises the whole demo in under two minutes.
    expect(Date.now() - started).toBeLessThan(120_000);
    const rows = stdout.split("\n");
    const row = (prefix: string) => rows.find((r) => r.startsWith(prefix)) ?? "";
    expect(row("a) canary v2.0")).toMatch(/✓ Healthy\s+\d+\s+0\s+50%/);
    expect(row("b) canary v2.1")).toMatch(/✓ Degraded\s+\d+\s+\d+\s+5%\s+\d+\.\d+ s/);
    expect(row("c) blue-green v3.0")).toMatch(/✓ Healthy\s+\d+\s+0\s+/);
    // No user request failed outside the injected errors of phase b, and those stayed few.
    const badErrors = Number(/b\) canary v2\.1[^\n]*?✓ Degraded\s+\d+\s+(\d+)/.exec(stdout)?.[1]);
    expect(badErrors).toBeLessThanOrEqual(20);
    expect(processesWithHome(home)).toEqual([]);
    rmSync(home, { recursive: true, force: true });
  }, 180_000);
});
