import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiClient } from "../../src/api/client.js";
import { runSluice } from "../helpers/cli.js";
import { demoRollout, isHealthy, waitForRollout } from "../helpers/rollouts.js";

// Defect 10 of issue 11: the state directory as a careless or hostile user leaves it.

let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "sluice-hostile-state-"));
  dir = path.join(root, ".sluice");
});
afterEach(async () => {
  await runSluice(["down", "--state-dir", dir]);
  rmSync(root, { recursive: true, force: true });
});

const up = () =>
  runSluice(["up", "--detach", "--state-dir", dir, "--listen", "127.0.0.1:0", "--api-listen", "127.0.0.1:0"]);
const mode = (f: string) => statSync(path.join(dir, f)).mode & 0o777;

async function upAndApply(): Promise<void> {
  const run = await up();
  expect(run.code, run.stderr).toBe(0);
  const url = (JSON.parse(readFileSync(path.join(dir, "api.json"), "utf8")) as { url: string }).url;
  const api = new ApiClient(url, readFileSync(path.join(dir, "api-token"), "utf8").trim());
  await api.post("/apply", { resources: [demoRollout("web", {}, { canary: { steps: [] } }, 1)] });
  await waitForRollout(api, "web", isHealthy);
}

describe("the state directory", () => {
  it("is created owner-only, with every log and state file 0600", async () => {
    await upAndApply();
    expect(mode(".")).toBe(0o700);
    expect(mode("logs")).toBe(0o700);
    const logs = readdirSync(path.join(dir, "logs"));
    expect(logs).toContain("router.log");
    expect(logs.some((f) => f.startsWith("web-"))).toBe(true);
    const files = [
      "sluice.db",
      "controller.log",
      "controller.pid",
      "api-token",
      "api.json",
      "router.pid",
      "router.json",
      "router-config.json",
      ...logs.map((f) => `logs/${f}`),
    ];
    expect(files.map((f) => [f, mode(f)])).toEqual(files.map((f) => [f, 0o600]));
  });

  it("an existing directory left readable by others is made private at start", async () => {
    mkdirSync(path.join(dir, "logs"), { recursive: true });
    chmodSync(dir, 0o755);
    writeFileSync(path.join(dir, "controller.log"), "old\n", { mode: 0o644 });
    writeFileSync(path.join(dir, "logs", "web-old-0.log"), "old\n", { mode: 0o644 });
    const run = await up();
    expect(run.code, run.stderr).toBe(0);
    expect([mode("."), mode("controller.log"), mode("logs/web-old-0.log")]).toEqual([0o700, 0o600, 0o600]);
  });

  it("a fresh `sluice up` in a new directory holding an empty database file starts", async () => {
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(path.join(dir, "sluice.db"), "");
    const run = await up();
    expect(run.code, run.stderr).toBe(0);
    expect(statSync(path.join(dir, "sluice.db")).size).toBeGreaterThan(0);
  });

  it("a database emptied after use is refused with one line naming it, not started as empty state", async () => {
    await upAndApply();
    expect((await runSluice(["down", "--state-dir", dir])).code).toBe(0);
    writeFileSync(path.join(dir, "sluice.db"), "");
    rmSync(path.join(dir, "sluice.db-wal"), { force: true });
    const run = await up();
    expect(run.code).not.toBe(0);
    const db = path.join(dir, "sluice.db");
    expect(run.stderr.trim()).toBe(
      `error: ${db} is empty (0 bytes) but this state directory was used before: the database was truncated or lost; restore it from a backup, or delete it to start with empty state`,
    );
    expect(statSync(db).size).toBe(0);
  });

  it("a database the controller cannot write is refused at start, naming the file and the fix", async () => {
    await upAndApply();
    expect((await runSluice(["down", "--state-dir", dir])).code).toBe(0);
    const db = path.join(dir, "sluice.db");
    const undo = readOnly(db);
    try {
      const run = await up();
      expect(run.code).not.toBe(0);
      const line = run.stderr.trim();
      expect(line).not.toContain("\n");
      expect(line).toContain(`error: cannot write ${db} (attempt to write a readonly database)`);
      expect(line).toContain(`chmod u+w ${db}`);
    } finally {
      undo();
    }
  });
});

/** Root writes through file modes, so for root the file is made immutable instead. */
function readOnly(file: string): () => void {
  if (process.getuid?.() === 0) {
    execFileSync("chattr", ["+i", file]);
    return () => execFileSync("chattr", ["-i", file]);
  }
  chmodSync(file, 0o400);
  return () => chmodSync(file, 0o600);
}
