import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

/** A `sluice controller` child process, its output so far, and a way to kill it as a crash would. */
export interface ControllerProcess {
  child: ChildProcess;
  output: string[];
  exited: Promise<void>;
  /** SIGKILL, as `kill -9`: no shutdown code runs. Resolves once it has exited. */
  kill(): Promise<void>;
}

/**
 * Starts `sluice controller` against a cluster, from sources, as its own process: tests that kill a
 * controller must not kill themselves. `args` are further flags (`--identity X`, `-n NS`,
 * `--no-leader-elect`); `env` is added to this process's environment.
 */
export function startControllerProcess(
  kubeconfig: string,
  opts: { args?: string[]; env?: Record<string, string> } = {},
): ControllerProcess {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", CLI, "controller", "--kubeconfig", kubeconfig, "--metrics-listen", "127.0.0.1:0"].concat(
      opts.args ?? [],
    ),
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...opts.env } },
  );
  const output: string[] = [];
  child.stdout?.on("data", (d: Buffer) => output.push(d.toString()));
  child.stderr?.on("data", (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    output,
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
