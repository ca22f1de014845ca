import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

/** How long one evaluation may run in the worker before the worker is stopped and the outcome is an error. */
export const EVALUATION_DEADLINE_MS = 250;
/** Heap for the worker: an expression that builds huge lists runs it out, not the controller. */
export const WORKER_HEAP_MB = 128;
/** How long a (re)started worker may take to load before waiting evaluations fail. */
const STARTUP_DEADLINE_MS = 30_000;

/** @internal a job posted to the worker. */
export interface WorkerJob {
  id: number;
  expression: string;
  result: unknown;
}

/** @internal the worker's answer: the condition's boolean or the error text it produced. */
export type WorkerReply = { id: number; value: boolean } | { id: number; error: string };

/** An evaluation's outcome: the value, the condition's own error, or why the sandbox stopped it. */
export type SandboxOutcome = { value: boolean } | { error: string } | { stopped: string };

interface Job {
  job: WorkerJob;
  resolve: (o: SandboxOutcome) => void;
}

function workerUrl(): URL {
  // Under tsx and vitest this module is .ts; in a build it is .js. The worker is its sibling.
  const ext = extname(fileURLToPath(import.meta.url));
  return new URL(`./condition-worker${ext}`, import.meta.url);
}

/** Loads tsx in the worker first, so the worker's TypeScript entry runs without a build. */
function bootstrap(entry: URL): string {
  return `import("tsx/esm/api").then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
}

/**
 * Runs conditions one at a time in a worker thread. A job that runs past
 * {@link EVALUATION_DEADLINE_MS}, or a worker that dies (out of memory), stops that job with an
 * error; the worker is replaced on the next job. The controller's thread only posts and waits.
 */
export class ConditionSandbox {
  readonly #deadlineMs: number;
  readonly #queue: Job[] = [];
  #worker: Worker | undefined;
  #ready = false;
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

  /** Stops the worker; waiting evaluations end with an error. */
  async close(): Promise<void> {
    const w = this.#worker;
    this.#fail("the condition sandbox was closed");
    this.#forget();
    await w?.terminate();
  }

  #pump(): void {
    if (this.#current || this.#queue.length === 0) return;
    if (!this.#worker) this.#start();
    if (!this.#ready) return;
    const job = this.#queue.shift() as Job;
    const timer = setTimeout(() => this.#expire(), this.#deadlineMs);
    this.#current = { job, timer };
    this.#worker?.ref();
    this.#worker?.postMessage(job.job);
  }

  #start(): void {
    const worker = new Worker(bootstrap(workerUrl()), {
      eval: true,
      // The worker sees no environment of the controller's; conditions read only `result`.
      env: {},
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    });
    this.#worker = worker;
    this.#ready = false;
    this.#startupTimer = setTimeout(
      () => this.#crash(worker, "the evaluation worker did not start in time"),
      STARTUP_DEADLINE_MS,
    );
    worker.on("message", (m: WorkerReply | { ready: true }) => {
      if (worker !== this.#worker) return;
      if ("ready" in m) {
        clearTimeout(this.#startupTimer);
        this.#ready = true;
      } else if (this.#current?.job.job.id === m.id) {
        clearTimeout(this.#current.timer);
        const { resolve } = this.#current.job;
        this.#current = undefined;
        resolve("error" in m ? { error: m.error } : { value: m.value });
      }
      if (!this.#current && this.#queue.length === 0) worker.unref();
      this.#pump();
    });
    worker.on("error", (err) => this.#crash(worker, `the evaluation worker failed: ${err.message}`));
    worker.on("exit", (code) => this.#crash(worker, `the evaluation worker exited with code ${code}`));
  }

  #expire(): void {
    const worker = this.#worker;
    if (!worker || !this.#current) return;
    const { resolve } = this.#current.job;
    this.#current = undefined;
    this.#forget();
    // terminate() interrupts running JavaScript, however tight the loop.
    void worker.terminate();
    resolve({ stopped: `evaluation ran past its ${this.#deadlineMs} ms deadline and was stopped` });
    this.#pump();
  }

  /** The worker died or never started: the current job (or, before it was ready, every job) fails. */
  #crash(worker: Worker, reason: string): void {
    if (worker !== this.#worker) return;
    const wasReady = this.#ready;
    this.#forget();
    void worker.terminate();
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
    this.#worker = undefined;
    this.#ready = false;
  }
}

let shared: ConditionSandbox | undefined;

/** Evaluates on the process's one shared sandbox, started on first use. */
export function evaluateInWorker(expression: string, result: unknown): Promise<SandboxOutcome> {
  shared ??= new ConditionSandbox();
  return shared.evaluate(expression, result);
}
