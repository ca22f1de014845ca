import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { waitFor } from "./wait.js";

/** Debian's package installs it here; CI installs the package (see .ci/run). */
export const PROMETHEUS_BINARY = process.env.PROMETHEUS_BINARY ?? "/usr/bin/prometheus";

/** A Prometheus that a test started and must stop. */
export interface RunningPrometheus {
  /** Base URL, `http://127.0.0.1:PORT`; the same across restarts. */
  url: string;
  /** The current process id, or undefined while stopped. */
  readonly pid: number | undefined;
  /**
   * Stops the process (SIGTERM to its process group, SIGKILL after 10 s). Without `keepData` the
   * temp dir (config, TSDB, log) is removed too, which is what a test's cleanup wants.
   */
  stop(opts?: { keepData?: boolean }): Promise<void>;
  /** Stops it if running, then starts it again on the same port with the same data; waits until ready. */
  restart(): Promise<void>;
}

/** Prometheus did not start, or did not become ready; carries the tail of its log. */
export class PrometheusStartError extends Error {
  override readonly name = "PrometheusStartError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function logTail(file: string, lines = 15): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Starts a real Prometheus on 127.0.0.1 (free port, temp dir) that scrapes `targets` (`host:port`)
 * every `scrapeIntervalSeconds`, and resolves once `/-/ready` answers 200. A process exit hook
 * kills it if the test run dies without calling stop().
 */
export async function startPrometheus(opts: {
  targets: string[];
  /** More target groups, each with labels added to its series (e.g. which revision a replica runs). */
  groups?: { targets: string[]; labels: Record<string, string> }[];
  scrapeIntervalSeconds?: number;
  /** Rule files (absolute paths) Prometheus loads and evaluates every scrape interval. */
  ruleFiles?: string[];
}): Promise<RunningPrometheus> {
  if (!existsSync(PROMETHEUS_BINARY))
    throw new PrometheusStartError(`${PROMETHEUS_BINARY} not found; install it with: apt-get install -y prometheus`);
  const interval = `${opts.scrapeIntervalSeconds ?? 1}s`;
  const dir = await mkdtemp(join(tmpdir(), "sluice-prometheus-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const configFile = join(dir, "prometheus.yml");
  const logFile = join(dir, "prometheus.log");
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    ...(opts.ruleFiles ? { rule_files: opts.ruleFiles } : {}),
    scrape_configs: [{ job_name: "test", static_configs: [{ targets: opts.targets }, ...(opts.groups ?? [])] }],
  };

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const onExit = () => {
    if (child) killGroup(child, "SIGKILL");
  };

  async function start(): Promise<void> {
    await mkdir(join(dir, "data"), { recursive: true });
    await writeFile(configFile, stringify(config));
    const log = openSync(logFile, "a");
    const proc = spawn(
      PROMETHEUS_BINARY,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--web.enable-lifecycle",
      ],
      { detached: true, stdio: ["ignore", log, log] },
    );
    closeSync(log);
    child = proc;
    process.once("exit", onExit);
    let gone = false;
    exited = new Promise((resolve) => {
      const done = () => {
        gone = true;
        resolve();
      };
      proc.once("exit", done);
      proc.once("error", done);
    });
    let outcome: "ready" | "exited";
    try {
      outcome = await waitFor(
        async () => {
          if (gone) return "exited" as const;
          const res = await fetch(`${url}/-/ready`);
          await res.arrayBuffer();
          return res.status === 200 ? ("ready" as const) : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100, message: `prometheus at ${url} ready` },
      );
    } catch (err) {
      await stopProcess();
      throw new PrometheusStartError(`prometheus at ${url} did not become ready:\n${logTail(logFile)}`, { cause: err });
    }
    if (outcome === "exited") {
      await stopProcess();
      throw new PrometheusStartError(`prometheus exited during startup:\n${logTail(logFile)}`);
    }
  }

  async function stopProcess(): Promise<void> {
    const proc = child;
    if (!proc) return;
    killGroup(proc, "SIGTERM");
    const timer = setTimeout(() => killGroup(proc, "SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
    process.removeListener("exit", onExit);
    child = undefined;
  }

  try {
    await start();
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url,
    get pid() {
      return child?.pid;
    },
    async stop(stopOpts = {}) {
      await stopProcess();
      if (!stopOpts.keepData) await rm(dir, { recursive: true, force: true });
    },
    async restart() {
      await stopProcess();
      await start();
    },
  };
}

/** Waits until Prometheus answers `query` with at least one series (its first scrape has landed). */
export async function waitForSeries(prom: RunningPrometheus, query: string, what = query): Promise<void> {
  await waitFor(
    async () => {
      const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(query)}`);
      const body = (await res.json()) as { data?: { result?: unknown[] } };
      return (body.data?.result?.length ?? 0) > 0;
    },
    { timeoutMs: 30_000, intervalMs: 250, message: `Prometheus to have ${what}` },
  );
}
