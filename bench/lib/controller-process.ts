import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

/** `sluice controller` running as a child process, its output in a log file. */
export interface ControllerProcess {
  child: ChildProcess;
  metricsUrl: string;
  logPath: string;
}

/**
 * Starts `sluice controller` without leader election and resolves once it prints its metrics
 * address. `profileDir` adds `node --cpu-prof`; `extraArgs` go to the controller command.
 */
export async function startController(
  kubeconfig: string,
  dir: string,
  profileDir?: string,
  extraArgs: string[] = [],
): Promise<ControllerProcess> {
  const logPath = path.join(dir, "controller.log");
  const log = createWriteStream(logPath);
  const prof = profileDir ? ["--cpu-prof", "--cpu-prof-dir", path.resolve(profileDir)] : [];
  // --trace-gc: the heap left after each full collection is the live heap, which RSS is not.
  const argv = [
    ...prof,
    "--trace-gc",
    "--import",
    "tsx",
    CLI,
    "controller",
    "--kubeconfig",
    kubeconfig,
    "--no-leader-elect",
    ...extraArgs,
  ];
  const child = spawn(process.execPath, [...argv, "--metrics-listen", "127.0.0.1:0"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  process.once("exit", () => child.kill("SIGKILL"));
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let out = "";
  const metricsUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`controller did not start; see ${logPath}`)), 60_000);
    child.once("exit", (code) => reject(new Error(`controller exited (${code}): ${out}`)));
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /metrics (http:\/\/\S+)\/metrics/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        resolve(m[1]);
      }
    };
    child.stdout?.on("data", onData);
  });
  return { child, metricsUrl, logPath };
}

/** Full collections in the controller's --trace-gc log: the live heap after the last and the largest, and total pause. */
export function fullGcs(logPath: string): { count: number; lastMb: number; maxMb: number; pauseMs: number } {
  const text = readFileSync(logPath, "utf8");
  const after = [...text.matchAll(/Mark-Compact(?: \(reduce\))? [\d.]+ \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB/g)].map(
    (m) => Number(m[1]),
  );
  let pauseMs = 0;
  for (const m of text.matchAll(/MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \/ [\d.]+ ms/g)) pauseMs += Number(m[1]);
  return { count: after.length, lastMb: after.at(-1) ?? 0, maxMb: Math.max(0, ...after), pauseMs };
}

/** SIGTERM (so --cpu-prof writes its profile), then SIGKILL after 15 s. */
export async function stopController(c: ControllerProcess): Promise<void> {
  if (c.child.exitCode !== null || c.child.signalCode !== null) return;
  const exited = once(c.child, "exit");
  c.child.kill("SIGTERM"); // lets --cpu-prof write its profile
  const timer = setTimeout(() => c.child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}
