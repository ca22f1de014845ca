import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { isAlive } from "../../src/controller/process-util.js";
import { stopDataPlane } from "../../src/controller/shutdown.js";
import { demoRollout } from "../helpers/rollouts.js";
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
    const controllerPid = Number(readFileSync(path.join(dir, "controller.pid"), "utf8"));
    const routerPid = Number(readFileSync(path.join(dir, "router.pid"), "utf8"));
    expect(isAlive(controllerPid)).toBe(true);

    const manifest = path.join(dir, "web.yaml");
    writeFileSync(manifest, stringify(demoRollout("web", { VERSION: "1.0" }, { canary: { steps: [] } })));
    expect(sluice("--state-dir", dir, "apply", "-f", manifest).status).toBe(0);
    expect(sluice("--state-dir", dir, "status", "web", "--watch", "--timeout", "60s").status).toBe(0);
    const { listen } = JSON.parse(readFileSync(path.join(dir, "router.json"), "utf8")) as { listen: string };
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
});
