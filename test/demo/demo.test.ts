import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../../bin/sluice.js", import.meta.url));

/**
 * Pids of processes the demo started, found by a HOME unique to this run: replicas, the router
 * and check commands inherit it, and nothing else on the machine has it.
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

/** The closing table's row for a stage and release, split into its columns (the last, WHY, may hold spaces). */
function row(stdout: string, stage: string, release: string): string[] {
  const line = stdout.split("\n").find((l) => new RegExp(`^${stage}\\s+${release}\\s`).test(l)) ?? "";
  return line.split(/\s{2,}/);
}

describe("sluice demo --fast", () => {
  it("takes v2-0 from canary through staging to production on an approval, stops v2-1 in canary, and cleans up", async () => {
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
      // Ctrl-C after a generous deadline: the demo then cleans up and the assertions say what was missing.
      const timer = setTimeout(() => child.kill("SIGINT"), 200_000);
      child.on("exit", (c) => {
        clearTimeout(timer);
        resolve({ code: c ?? 1, stdout: out, stderr: err });
      });
    });
    const elapsed = Date.now() - started;
    try {
      expect(stderr).toBe("");
      expect(code).toBe(0);
      // --fast promises under a minute on an idle 2-core machine; twice that absorbs a busy one.
      expect(elapsed).toBeLessThan(120_000);

      // v2-0 Healthy in all three stages; production let in by the demo's approver token.
      expect(row(stdout, "canary", "v2-0").slice(2, 3)).toEqual(["Healthy"]);
      expect(row(stdout, "staging", "v2-0").slice(2, 3)).toEqual(["Healthy"]);
      expect(row(stdout, "production", "v2-0").slice(2, 5)).toEqual([
        "Healthy",
        expect.stringMatching(/^\+\d+\.\ds$/),
        "demo-approver",
      ]);
      // The record's approval entry, as it happened, names the token that approved.
      expect(stdout).toMatch(/◆ production\s+v2-0\s+Approved\s+by demo-approver: /);
      // Staging was entered only after its check and soak passed.
      const log = stdout.split("\n");
      const at = (re: RegExp) => log.findIndex((l) => re.test(l));
      const promotedStaging = at(/◆ staging\s+v2-0\s+Promoted /);
      expect(promotedStaging).toBeGreaterThan(at(/◆ staging\s+v2-0\s+GatePassed \(checks\)/));
      expect(promotedStaging).toBeGreaterThan(at(/◆ staging\s+v2-0\s+GatePassed \(soak\)/));
      expect(at(/◆ staging\s+v2-0\s+GatePassed \(checks\)/)).toBeGreaterThan(-1);

      // v2-1 rejected in canary and never promoted into staging or production.
      expect(row(stdout, "canary", "v2-1").slice(2, 3)).toEqual(["Rejected"]);
      expect(row(stdout, "staging", "v2-1").slice(2, 3)).toEqual(["Never entered"]);
      expect(row(stdout, "production", "v2-1").slice(2, 3)).toEqual(["Never entered"]);
      expect(stdout).toMatch(/◆ canary\s+v2-1\s+Rejected /);
      expect(stdout).not.toMatch(/◆ (staging|production)\s+v2-1\s+(Promoted|Entered)/);

      // Production under load from start to end: no failed request, and only v2.0 while v2-1 was in canary.
      const total = /production, under \d+ req\/s from start to end: (\d+) requests, (\d+) failed/.exec(stdout);
      expect(Number(total?.[1])).toBeGreaterThan(100);
      expect(total?.[2]).toBe("0");
      const during = /while v2-1 was in canary: (\d+) requests \(v2\.0 (\d+)\), (\d+) failed/.exec(stdout);
      expect(Number(during?.[1])).toBeGreaterThan(0);
      expect(during?.[2]).toBe(during?.[1]);
      expect(during?.[3]).toBe("0");
      expect(stdout).toContain("Every step ended as intended.");
      // The judge gated each canary weight, and the summary says how many canary requests it took.
      expect(stdout).toMatch(/demo-canary-\S+ error-rate: Successful after \d+ canary requests/);

      expect(processesWithHome(home)).toEqual([]);
    } catch (err) {
      // The whole demo output says what happened far better than one failed expectation.
      console.log(stdout, stderr, `elapsed ${elapsed} ms`);
      throw err;
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 240_000);
});
