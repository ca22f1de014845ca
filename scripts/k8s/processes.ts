import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A control-plane program that exited or could not be started. */
export class ComponentError extends Error {
  override readonly name = "ComponentError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** One running program, leader of its own process group. */
export interface Component {
  name: string;
  pid: number;
  logPath: string;
  /** Resolves with the exit code (or signal) once the program has exited. */
  exited: Promise<string>;
  /** True until the program exits. */
  running(): boolean;
}

/** The last `maxChars` characters of a log file, for error messages. */
export function logTail(path: string, maxChars = 2_000): string {
  try {
    const text = readFileSync(path, "utf8");
    return text.length > maxChars ? `…${text.slice(-maxChars)}` : text;
  } catch {
    return "";
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** True while any process of the group led by `pid` is alive. */
export function groupAlive(pid: number): boolean {
  return signalGroup(pid, 0 as unknown as NodeJS.Signals);
}

/**
 * Starts programs as detached process groups with output in log files, and stops them all.
 *
 * With `tieToParent` (the default) the groups die with this Node process: on exit, on SIGINT/SIGTERM,
 * and, through a small shell watchdog, even when this process is SIGKILLed (as a timed-out test worker is).
 * Without it they outlive the process, which is what `cluster.ts up` wants.
 */
export class ComponentSet {
  private readonly children: { component: Component; child: ChildProcess }[] = [];
  private readonly pidFile: string;
  private watchdog: ChildProcess | undefined;
  private readonly onExit = () => this.killNow();
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.killNow();
    process.off(signal, this.onSignal);
    process.kill(process.pid, signal);
  };

  constructor(
    private readonly dir: string,
    private readonly tieToParent = true,
  ) {
    this.pidFile = join(dir, "pids");
    writeFileSync(this.pidFile, "");
    if (!tieToParent) return;
    process.once("exit", this.onExit);
    // Only take over the signals nobody else handles, so a test runner's own handling still applies.
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      if (process.listenerCount(signal) === 0) process.once(signal, this.onSignal);
    }
    const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; for g in $(cat "$1"); do kill -KILL -- "-$g" 2>/dev/null; done`;
    this.watchdog = spawn("sh", ["-c", script, "watchdog", this.pidFile], { detached: true, stdio: "ignore" });
    this.watchdog.unref();
  }

  /** Process ids (= group ids) of every program started, oldest first. */
  pids(): number[] {
    return this.children.map((c) => c.component.pid);
  }

  /** Starts `binary` with `args`; its stdout and stderr go to `<dir>/<name>.log`. */
  start(name: string, binary: string, args: string[]): Component {
    const logPath = join(this.dir, `${name}.log`);
    const fd = openSync(logPath, "a");
    let child: ChildProcess;
    try {
      child = spawn(binary, args, { detached: true, stdio: ["ignore", fd, fd], cwd: this.dir });
    } finally {
      closeSync(fd);
    }
    if (child.pid === undefined) throw new ComponentError(`${name}: could not start ${binary}`);
    let alive = true;
    const exited = new Promise<string>((resolve) => {
      child.once("error", (err) => {
        alive = false;
        resolve(`error ${err.message}`);
      });
      child.once("exit", (code, signal) => {
        alive = false;
        resolve(signal ? `signal ${signal}` : `code ${code}`);
      });
    });
    const component: Component = { name, pid: child.pid, logPath, exited, running: () => alive };
    this.children.push({ component, child });
    writeFileSync(this.pidFile, `${this.pids().join("\n")}\n`);
    if (!this.tieToParent) child.unref();
    return component;
  }

  /** SIGTERM to every group, then SIGKILL to what is still alive after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    const live = this.children.filter((c) => c.component.running());
    for (const { component } of live) signalGroup(component.pid, "SIGTERM");
    const timeout = new Promise<"timeout">((resolve) => setTimeout(resolve, graceMs, "timeout").unref());
    await Promise.race([Promise.all(live.map((c) => c.component.exited)), timeout]);
    this.killNow();
    await Promise.all(live.map((c) => c.component.exited));
    this.release();
  }

  /** Synchronous SIGKILL of every group; safe inside an `exit` handler. */
  killNow(): void {
    for (const { component } of this.children) signalGroup(component.pid, "SIGKILL");
  }

  private release(): void {
    process.off("exit", this.onExit);
    process.off("SIGINT", this.onSignal);
    process.off("SIGTERM", this.onSignal);
    if (this.watchdog?.pid !== undefined) signalGroup(this.watchdog.pid, "SIGKILL");
    this.watchdog = undefined;
  }
}

/** Stops groups recorded by a set that outlived its process (see `cluster.ts down`). */
export async function stopRecordedGroups(pids: number[], graceMs = 5_000): Promise<void> {
  for (const pid of pids) signalGroup(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (pids.some(groupAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const pid of pids) signalGroup(pid, "SIGKILL");
}
