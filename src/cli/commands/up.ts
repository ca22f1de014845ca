import { spawn } from "node:child_process";
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startLocalRuntime } from "../../controller/local-runtime.js";
import { isAlive, waitUntil } from "../../controller/process-util.js";
import { routerListen } from "../../controller/router-process.js";
import { CliError } from "../cli-error.js";
import type { Output } from "../output.js";
import { resolveStateDir } from "../state-dir.js";
import { VERSION } from "../version.js";

export interface UpOptions {
  stateDir?: string;
  listen: string;
  apiListen: string;
  detach?: boolean;
  keepApps?: boolean;
}

const BIN = fileURLToPath(new URL("../../../bin/sluice.js", import.meta.url));

/**
 * `sluice up`: the controller, its API and the router. In the foreground, Ctrl-C stops all of it
 * (the replicas too unless --keep-apps); SIGTERM stops only the controller, which is what a
 * restart or an upgrade wants: traffic goes on and the next controller adopts it all.
 */
export async function upCommand(opts: UpOptions, out: Output): Promise<void> {
  const dir = resolveStateDir(opts.stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pidFile = path.join(dir, "controller.pid");
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, "utf8"));
    if (pid !== process.pid && isAlive(pid))
      throw new CliError(`a controller (pid ${pid}) is already running for ${dir}; stop it with \`sluice down\` first`);
  }
  if (opts.detach) return detach(dir, opts, out);

  const runtime = await startLocalRuntime({
    stateDir: dir,
    listen: opts.listen,
    apiListen: opts.apiListen,
    version: VERSION,
    onError: (message, err) =>
      out.error(`${new Date().toISOString()} ${message}: ${err instanceof Error ? err.message : String(err)}`),
  });
  out.log(`sluice controller up (state ${dir})`);
  out.log(`  router  ${runtime.routerUrl}`);
  out.log(`  api     ${runtime.apiUrl}`);
  await new Promise<void>((resolve) => {
    const stop = (stopDataPlane: boolean) => async () => {
      await runtime.stop({ stopDataPlane, keepApps: opts.keepApps ?? false });
      rmSync(pidFile, { force: true });
      // A stale address would send the CLI to a port nobody listens on.
      rmSync(path.join(dir, "api.json"), { force: true });
      resolve();
    };
    process.once("SIGINT", stop(true));
    process.once("SIGTERM", stop(false));
  });
}

async function detach(dir: string, opts: UpOptions, out: Output): Promise<void> {
  const logFile = path.join(dir, "controller.log");
  const log = openSync(logFile, "a", 0o600);
  const logStart = fstatSync(log).size;
  const apiFile = path.join(dir, "api.json");
  rmSync(apiFile, { force: true });
  const args = [BIN, "up", "--state-dir", dir, "--listen", opts.listen, "--api-listen", opts.apiListen];
  if (opts.keepApps) args.push("--keep-apps");
  const child = spawn(process.execPath, args, { detached: true, stdio: ["ignore", log, log] });
  closeSync(log);
  child.unref();
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  await waitUntil(() => exited || existsSync(apiFile), 30_000).catch(() => {
    throw new CliError(`the controller did not start within 30 s; see ${logFile}`);
  });
  if (!existsSync(apiFile)) {
    // The controller printed its one-line reason (a taken router port, say) to its log.
    const text = readFileSync(logFile).subarray(logStart).toString("utf8");
    const reason = text
      .split("\n")
      .reverse()
      .find((l) => l.startsWith("error: "));
    throw new CliError(reason ? reason.slice("error: ".length) : `the controller exited at start; see ${logFile}`);
  }
  out.log(`sluice controller started in the background (pid ${child.pid}, state ${dir})`);
  const router = routerListen(dir);
  if (router) out.log(`  router  http://${router}`);
  out.log(`  api     ${(JSON.parse(readFileSync(apiFile, "utf8")) as { url: string }).url}`);
}
