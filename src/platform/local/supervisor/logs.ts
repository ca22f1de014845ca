import { appendFileSync, closeSync, fstatSync, openSync, readSync } from "node:fs";
import path from "node:path";

/** Lines the supervisor writes into a replica's log start with this, so they are told apart from the app's. */
export const SUPERVISOR_MARK = "--- sluice:";

/** `<stateDir>/logs/<rollout>-<revision>-<index>.log`, kept across the replica's restarts. */
export function replicaLogPath(stateDir: string, rollout: string, revision: string, index: number): string {
  return path.join(stateDir, "logs", `${rollout}-${revision}-${index}.log`);
}

/** Appends one supervisor line (start, exit, stop) to a replica's log. Never throws: logs are a courtesy. */
export function appendSupervisorLine(file: string, text: string): void {
  try {
    appendFileSync(file, `${SUPERVISOR_MARK} ${new Date().toISOString()} ${text}\n`, { mode: 0o600 });
  } catch {
    // A missing or unwritable log must not stop a replica from being managed.
  }
}

/**
 * The app's last non-empty log line (supervisor lines skipped), cut to `maxChars`, for messages
 * such as a crash loop's. Reads only the file's tail.
 */
export function lastLogLine(file: string, maxChars = 200, tailBytes = 8192): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const size = fstatSync(fd).size;
    const length = Math.min(size, tailBytes);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    const lines = buf.toString("utf8").split(/\r?\n/);
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = lines[i]?.trim() ?? "";
      if (line === "" || line.startsWith(SUPERVISOR_MARK)) continue;
      return line.length > maxChars ? `${line.slice(0, maxChars - 1)}…` : line;
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
