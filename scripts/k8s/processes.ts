import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
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

/**
 * True while any process of the group led by `pid` is alive. Zombies don't count: a group whose
 * parent has exited (after `cluster.ts up`) is reaped by an init that may take seconds to do so.
 */
export function groupAlive(pid: number): boolean {
  if (!signalGroup(pid, 0 as unknown as NodeJS.Signals)) return false;
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return true;
  }
  return entries.some((entry) => {
    try {
      // Fields after "(comm)": state ppid pgrp ...
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return Number(pgrp) === pid && state !== "Z";
    } catch {
      return false;
    }
  });
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
    // A killed parent can linger as a zombie until it is reaped, and kill -0 still succeeds on a
    // zombie: read its state from /proc too.
    const p = process.pid;
    const script = `while kill -0 ${p} 2>/dev/null && ! grep -qE '^[0-9]+ \\(.*\\) Z' /proc/${p}/stat 2>/dev/null; do sleep 1; done; for g in $(cat "$1"); do kill -KILL -- "-$g" 2>/dev/null; done`;
    this.watchdog = spawn("bash", ["-c", script, "watchdog", this.pidFile], { detached: true, stdio: "ignore" });
    this.watchdog.unref();
  }

  /** Process ids (= group ids) of every program started, oldest first. */
  pids(): number[] {
    return this.children.map((c) => c.component.pid);
  }

  /** Starts `binary` with `args`; its stdout and stderr go to `<dir>/<name>.log`. */
  start(name: string, binary: string, args: string[]): Component {
    const logPath = join(this.dir, `${name}.log`);
    // Truncated: a retried start or a reused dir should show only this run.
    const fd = openSync(logPath, "w");
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

  /**
   * Stops the programs newest first, each with SIGTERM and then SIGKILL after `graceMs`. The order
   * matters: kube-apiserver hangs in its graceful shutdown when etcd goes away first.
   */
  async stop(graceMs = 5_000): Promise<void> {
    for (const { component } of [...this.children].reverse()) {
      if (!component.running()) continue;
      signalGroup(component.pid, "SIGTERM");
      const timeout = new Promise<"timeout">((resolve) => setTimeout(resolve, graceMs, "timeout").unref());
      if ((await Promise.race([component.exited, timeout])) === "timeout") signalGroup(component.pid, "SIGKILL");
      await component.exited;
    }
    // Anything a program left behind in its group goes too.
    this.killNow();
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

/** Stops groups recorded by a set that outlived its process (see `cluster.ts down`), newest first. */
export async function stopRecordedGroups(pids: number[], graceMs = 5_000): Promise<void> {
  for (const pid of [...pids].reverse()) {
    signalGroup(pid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    signalGroup(pid, "SIGKILL");
  }
}
