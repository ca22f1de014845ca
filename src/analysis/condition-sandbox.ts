import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { extname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** How long one evaluation may run before the evaluation process is killed and the outcome is an error. */
export const EVALUATION_DEADLINE_MS = 250;
/**
 * Heap for the evaluation process: an expression that builds huge lists runs it out, not the
 * controller. A separate process, not a worker thread: a worker's heap limit does not stop a huge
 * array allocation from aborting the whole process.
 */
export const EVALUATOR_HEAP_MB = 128;
/** How long a (re)started evaluation process may take to load before waiting evaluations fail. */
const STARTUP_DEADLINE_MS = 30_000;

/** @internal a job posted to the evaluation process. */
export interface WorkerJob {
  id: number;
  expression: string;
  result: unknown;
}

/** @internal the evaluation process's answer: the condition's boolean or the error text it produced. */
export type WorkerReply = { id: number; value: boolean } | { id: number; error: string };

/** An evaluation's outcome: the value, the condition's own error, or why the sandbox stopped it. */
export type SandboxOutcome = { value: boolean } | { error: string } | { stopped: string };

interface Job {
  job: WorkerJob;
  resolve: (o: SandboxOutcome) => void;
}

function workerPath(): string {
  // Under tsx and vitest this module is .ts; in a build it is .js. The entry is its sibling.
  const ext = extname(fileURLToPath(import.meta.url));
  return fileURLToPath(new URL(`./condition-worker${ext}`, import.meta.url));
}

/** tsx's loader by absolute URL, so the TypeScript entry runs without a build, wherever the controller's cwd is. */
function tsxLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
}

/**
 * Runs conditions one at a time in a child process. A job that runs past
 * {@link EVALUATION_DEADLINE_MS}, or a process that dies (out of memory), stops that job with an
 * error; the process is replaced on the next job. The controller's thread only posts and waits.
 */
export class ConditionSandbox {
  readonly #deadlineMs: number;
  readonly #queue: Job[] = [];
  #child: ChildProcess | undefined;
  #ready = false;
  #stderr = "";
  #current: { job: Job; timer: NodeJS.Timeout } | undefined;
  #startupTimer: NodeJS.Timeout | undefined;
  #nextId = 1;

  constructor(opts: { deadlineMs?: number } = {}) {
    this.#deadlineMs = opts.deadlineMs ?? EVALUATION_DEADLINE_MS;
  }

  /** Evaluates `expression` against an already bounded `result`. Never rejects. */
  evaluate(expression: string, result: unknown): Promise<SandboxOutcome> {
    return new Promise((resolve) => {
      this.#queue.push({ job: { id: this.#nextId++, expression, result }, resolve });
      this.#pump();
    });
  }

  /** Stops the evaluation process; waiting evaluations end with an error. */
  async close(): Promise<void> {
    const child = this.#child;
    this.#fail("the condition sandbox was closed");
    this.#forget();
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    }
  }

  #pump(): void {
    if (this.#current || this.#queue.length === 0) return;
    if (!this.#child) this.#start();
    if (!this.#ready) return;
    const job = this.#queue.shift() as Job;
    const timer = setTimeout(() => this.#expire(), this.#deadlineMs);
    this.#current = { job, timer };
    this.#hold(true);
    this.#child?.send(job.job);
  }

  /** Keeps the controller alive only while evaluations wait. */
  #hold(on: boolean): void {
    const child = this.#child as (ChildProcess & { channel?: { ref(): void; unref(): void } }) | undefined;
    if (on) {
      child?.ref();
      child?.channel?.ref();
      (child?.stderr as { ref?: () => void } | null | undefined)?.ref?.();
    } else {
      child?.unref();
      child?.channel?.unref();
      // The stderr pipe is a handle of its own: left referenced, it keeps an idle process alive.
      (child?.stderr as { unref?: () => void } | null | undefined)?.unref?.();
    }
  }

  #start(): void {
    const child = spawn(
      process.execPath,
      [`--max-old-space-size=${EVALUATOR_HEAP_MB}`, "--import", tsxLoader(), workerPath()],
      // Conditions read only `result`: the process gets none of the controller's environment.
      { stdio: ["ignore", "ignore", "pipe", "ipc"], serialization: "advanced", env: {} },
    );
    this.#child = child;
    this.#ready = false;
    this.#stderr = "";
    this.#startupTimer = setTimeout(
      () => this.#crash(child, "the evaluation process did not start in time"),
      STARTUP_DEADLINE_MS,
    );
    child.stderr?.on("data", (d: Buffer) => {
      if (child === this.#child) this.#stderr = (this.#stderr + d.toString()).slice(-2000);
    });
    child.on("message", (m: WorkerReply | { ready: true }) => {
      if (child !== this.#child) return;
      if ("ready" in m) {
        clearTimeout(this.#startupTimer);
        this.#ready = true;
      } else if (this.#current?.job.job.id === m.id) {
        clearTimeout(this.#current.timer);
        const { resolve } = this.#current.job;
        this.#current = undefined;
        resolve("error" in m ? { error: m.error } : { value: m.value });
      }
      if (!this.#current && this.#queue.length === 0) this.#hold(false);
      this.#pump();
    });
    child.on("error", (err) => this.#crash(child, `the evaluation process failed: ${err.message}`));
    child.on("exit", (code, signal) => {
      const oom = /heap out of memory|Allocation failed/i.test(this.#stderr) ? ", out of memory" : "";
      this.#crash(child, `the evaluation process exited (${signal ?? `code ${code}`}${oom})`);
    });
  }

  #expire(): void {
    const child = this.#child;
    if (!child || !this.#current) return;
    const { resolve } = this.#current.job;
    this.#current = undefined;
    this.#forget();
    // SIGKILL stops it however tight the loop; the next job starts a new process.
    child.kill("SIGKILL");
    resolve({ stopped: `evaluation ran past its ${this.#deadlineMs} ms deadline and was stopped` });
    this.#pump();
  }

  /** The process died or never started: the current job (or, before it was ready, every job) fails. */
  #crash(child: ChildProcess, reason: string): void {
    if (child !== this.#child) return;
    const wasReady = this.#ready;
    this.#forget();
    child.kill("SIGKILL");
    if (this.#current) {
      clearTimeout(this.#current.timer);
      this.#current.job.resolve({ stopped: reason });
      this.#current = undefined;
    } else if (!wasReady) this.#fail(reason);
    this.#pump();
  }

  #fail(reason: string): void {
    if (this.#current) {
      clearTimeout(this.#current.timer);
      this.#current.job.resolve({ stopped: reason });
      this.#current = undefined;
    }
    for (const j of this.#queue.splice(0)) j.resolve({ stopped: reason });
  }

  #forget(): void {
    clearTimeout(this.#startupTimer);
    this.#child = undefined;
    this.#ready = false;
  }
}

let shared: ConditionSandbox | undefined;

/** Evaluates on the process's one shared sandbox, started on first use. */
export function evaluateInSandbox(expression: string, result: unknown): Promise<SandboxOutcome> {
  shared ??= new ConditionSandbox();
  return shared.evaluate(expression, result);
}
