import { existsSync, readFileSync } from "node:fs";

const HAS_PROC = existsSync("/proc/self/stat");

/** State and start time of a process from /proc/<pid>/stat; undefined when there is no such process. */
export function readProcessStat(pid: number): { state: string; startTime: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) sits in parentheses and may itself contain spaces or ')'.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const state = fields[0];
  const startTime = fields[19];
  return state === undefined || startTime === undefined ? undefined : { state, startTime };
}

/**
 * The start time token recorded at spawn. With it, a pid seen later can be checked to still be
 * the same process rather than a new one that reused the number. Empty where /proc is missing.
 */
export function processStartTime(pid: number): string {
  return readProcessStat(pid)?.startTime ?? "";
}

/** True when `pid` runs and is the process that had `startTime` (an empty token skips that check). */
export function isSameProcess(pid: number, startTime: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (!HAS_PROC) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === "EPERM";
    }
  }
  const stat = readProcessStat(pid);
  // A zombie has exited; it only waits for its parent to collect the exit status.
  if (!stat || stat.state === "Z" || stat.state === "X") return false;
  return startTime === "" || stat.startTime === startTime;
}

/**
 * Sends `signal` to the process group led by `pid` (replicas are spawned detached, so each leads
 * its own group and a wrapper's children get the signal too). Only signals when `pid` is still
 * the same process, so a reused pid is never hit. Returns whether a signal was sent.
 */
export function signalGroup(pid: number, startTime: string, signal: NodeJS.Signals): boolean {
  if (!isSameProcess(pid, startTime)) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    // Not a group leader (started by something else): signal the process alone.
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

/** Resolves true once `pid` is gone (or is no longer that process), false after `timeoutMs`. */
export async function waitForExit(
  pid: number,
  startTime: string,
  timeoutMs: number,
  intervalMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isSameProcess(pid, startTime)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** How {@link terminateGroup} ended. */
export type TerminateOutcome = "not running" | "exited" | "killed";

/** SIGTERM to the group, SIGKILL after `graceMs` if the process is still there. */
export async function terminateGroup(pid: number, startTime: string, graceMs: number): Promise<TerminateOutcome> {
  if (!signalGroup(pid, startTime, "SIGTERM")) return "not running";
  if (await waitForExit(pid, startTime, graceMs)) return "exited";
  signalGroup(pid, startTime, "SIGKILL");
  await waitForExit(pid, startTime, 5_000);
  return "killed";
}
