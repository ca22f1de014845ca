import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { isAlive } from "../../src/controller/process-util.js";
import { stopDataPlane } from "../../src/controller/shutdown.js";
import { ControllerProcess } from "../helpers/controller.js";
import { demoRollout, isHealthy, waitForRollout } from "../helpers/rollouts.js";
import { waitFor } from "../helpers/wait.js";

const BIN = fileURLToPath(new URL("../../bin/sluice.js", import.meta.url));
const sluice = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 90_000 });

describe("sluice up --detach and sluice down", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-updown-"));
  afterAll(async () => {
    await stopDataPlane(dir, { keepApps: false });
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts in the background, serves a rollout, and stops every process it started", async () => {
    const up = sluice("--state-dir", dir, "up", "--detach", "--listen", "127.0.0.1:0");
    expect(up.stderr).toBe("");
    expect(up.status).toBe(0);
    expect(up.stdout).toMatch(/started in the background \(pid \d+/);
    const routerLine = /^ {2}router {2}http:\/\/127\.0\.0\.1:(\d+)$/m.exec(up.stdout);
    expect(routerLine).not.toBeNull();
    expect(up.stdout).toMatch(/^ {2}api {5}http:\/\/127\.0\.0\.1:\d+$/m);
    // The state holds every manifest and the API's address: owner only.
    for (const file of ["api.json", "api-token", "sluice.db", "sluice.db-wal"])
      expect([file, statSync(path.join(dir, file)).mode & 0o777]).toEqual([file, 0o600]);
    const controllerPid = Number(readFileSync(path.join(dir, "controller.pid"), "utf8"));
    const routerPid = Number(readFileSync(path.join(dir, "router.pid"), "utf8"));
    expect(isAlive(controllerPid)).toBe(true);

    const manifest = path.join(dir, "web.yaml");
    writeFileSync(manifest, stringify(demoRollout("web", { VERSION: "1.0" }, { canary: { steps: [] } })));
    expect(sluice("--state-dir", dir, "apply", "-f", manifest).status).toBe(0);
    expect(sluice("--state-dir", dir, "status", "web", "--watch", "--timeout", "60s").status).toBe(0);
    const { listen } = JSON.parse(readFileSync(path.join(dir, "router.json"), "utf8")) as { listen: string };
    expect(listen).toBe(`127.0.0.1:${routerLine?.[1]}`);
    const { pid: replicaPid } = (await (await fetch(`http://${listen}/`)).json()) as { pid: number };

    const again = sluice("--state-dir", dir, "up", "--detach", "--listen", "127.0.0.1:0");
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already running .*sluice down/);

    const down = sluice("--state-dir", dir, "down");
    expect(down.status).toBe(0);
    await waitFor(() => ![controllerPid, routerPid, replicaPid].some(isAlive), {
      timeoutMs: 30_000,
      message: "controller, router and replica to exit",
    });
  });

  it("refuses a state database it does not recognise, with one line and no change to the file", () => {
    const foreign = mkdtempSync(path.join(os.tmpdir(), "sluice-foreign-"));
    try {
      const db = path.join(foreign, "sluice.db");
      writeFileSync(db, "this is not a database, it is a text file that happens to sit here");
      const up = sluice("--state-dir", foreign, "up", "--listen", "127.0.0.1:0");
      expect(up.status).toBe(1);
      expect(up.stderr.trim().split("\n")).toHaveLength(1);
      expect(up.stderr).toMatch(/sluice\.db/);
      expect(readFileSync(db, "utf8")).toMatch(/^this is not a database/);
    } finally {
      spawnSync("pkill", ["-f", `--state-dir ${foreign}`]);
      rmSync(foreign, { recursive: true, force: true });
    }
  });

  it("fails at once with one line naming a router address that is in use, in the foreground and with --detach", async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const address = `127.0.0.1:${(taken.address() as { port: number }).port}`;
    const state = mkdtempSync(path.join(os.tmpdir(), "sluice-taken-"));
    try {
      for (const extra of [[], ["--detach"]]) {
        const started = Date.now();
        const up = sluice("--state-dir", state, "up", ...extra, "--listen", address);
        expect(up.status).toBe(1);
        expect(up.stderr.trim().split("\n")).toEqual([
          `error: the router cannot listen on ${address}: the address is already in use; free the port, or choose another with --listen HOST:PORT (port 0 picks a free one)`,
        ]);
        // Not the 20 s wait for a router that will never answer.
        expect(Date.now() - started).toBeLessThan(15_000);
      }
    } finally {
      taken.close();
      await stopDataPlane(state, { keepApps: false });
      rmSync(state, { recursive: true, force: true });
    }
  });

  it("stops a foreground controller with `sluice down` without a failed router update in its log", async () => {
    const c = await new ControllerProcess().start();
    try {
      const manifest = path.join(c.stateDir, "web.yaml");
      writeFileSync(manifest, stringify(demoRollout("web", { VERSION: "1.0" }, { canary: { steps: [] } })));
      expect(sluice("--state-dir", c.stateDir, "apply", "-f", manifest).status).toBe(0);
      await waitForRollout(c.api, "web", isHealthy);
      // "close", not "exit": the last lines of its output may still be in the pipe at exit.
      const exited = new Promise((resolve) => c.child?.once("close", resolve));
      // Not spawnSync: this process must reap the controller, its child, for `down` to see it gone.
      const down = spawn(process.execPath, [BIN, "--state-dir", c.stateDir, "down"], { stdio: "ignore" });
      expect(await new Promise((resolve) => down.once("exit", resolve))).toBe(0);
      await exited;
      expect(c.output).toMatch(/sluice controller up/);
      expect(c.output).not.toMatch(/router update failed|cannot reach the router/);
    } finally {
      await c.destroy();
    }
  });
});
