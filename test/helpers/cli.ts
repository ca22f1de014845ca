import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The `sluice` launcher, as users run it. */
export const SLUICE_BIN = fileURLToPath(new URL("../../bin/sluice.js", import.meta.url));

/** A finished `sluice` run: exit code and everything it printed. */
export interface SluiceRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real CLI in a pipe (no TTY, no colour) and resolves when it exits. Asynchronous, so
 * this process keeps reaping its own children (a controller it started) while the CLI runs.
 * `env` adds to the environment it inherits.
 */
export function runSluice(
  args: string[],
  opts: { stdin?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<SluiceRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SLUICE_BIN, ...args], {
      stdio: ["pipe", "pipe", "pipe"],
      ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`sluice ${args.join(" ")} did not finish: ${stdout}${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
    child.stdin.end(opts.stdin ?? "");
  });
}
