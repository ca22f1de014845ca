import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ApiClient } from "../../src/api/client.js";
import { stopDataPlane } from "../../src/controller/shutdown.js";
import { waitFor } from "./wait.js";

const BIN = fileURLToPath(new URL("../../bin/sluice.js", import.meta.url));
export const DEMO_APP = fileURLToPath(new URL("../../demo/app/server.ts", import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * A `sluice up` child process in its own state directory, as a user runs it. Tests can kill -9
 * it and start another on the same directory to check that the data plane and status survive.
 */
export class ControllerProcess {
  child: ChildProcess | undefined;
  api!: ApiClient;
  routerUrl = "";
  output = "";

  /**
   * @param env added to the child's environment (what `valueFrom.env` and `urlFrom.env` read).
   * @param args added to `sluice up`'s arguments (e.g. `--api-listen` to keep the API's port across a restart).
   */
  constructor(
    readonly stateDir = mkdtempSync(path.join(os.tmpdir(), "sluice-test-")),
    readonly env: Record<string, string> = {},
    readonly args: string[] = [],
  ) {}

  async start(): Promise<this> {
    rmSync(path.join(this.stateDir, "api.json"), { force: true });
    this.child = spawn(
      process.execPath,
      [BIN, "up", "--state-dir", this.stateDir, "--listen", "127.0.0.1:0", ...this.args],
      {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, ...this.env },
      },
    );
    this.child.stdout?.on("data", (d) => {
      this.output += d;
    });
    this.child.stderr?.on("data", (d) => {
      this.output += d;
    });
    const info = await waitFor(
      () => {
        if (this.child?.exitCode !== null) throw new Error(`sluice up exited: ${this.output}`);
        return JSON.parse(readFileSync(path.join(this.stateDir, "api.json"), "utf8")) as { url: string };
      },
      { timeoutMs: 30_000, message: "sluice up to write api.json" },
    );
    const token = readFileSync(path.join(this.stateDir, "api-token"), "utf8").trim();
    this.api = new ApiClient(info.url, token);
    const router = JSON.parse(readFileSync(path.join(this.stateDir, "router.json"), "utf8")) as { listen: string };
    this.routerUrl = `http://${router.listen}`;
    return this;
  }

  /** kill -9: no handler runs, exactly like a crash. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
  }

  /** Stops everything this controller started, including the router and replicas, and removes the state. */
  async destroy(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGINT");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    await stopDataPlane(this.stateDir, { keepApps: false });
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/** A process template running the demo app with the given env. */
export function demoTemplate(env: Record<string, string>, extra: Record<string, unknown> = {}) {
  return {
    process: {
      command: process.execPath,
      args: ["--import", "tsx", DEMO_APP],
      cwd: REPO_ROOT,
      env: Object.entries(env).map(([name, value]) => ({ name, value })),
      readinessProbe: { httpGet: { path: "/ready" }, periodSeconds: 0.5 },
      terminationGracePeriodSeconds: 5,
      ...extra,
    },
  };
}
