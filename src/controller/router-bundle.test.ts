import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { waitUntil } from "./process-util.js";
import { bundleRouter } from "./router-bundle.js";

// Inside the package, where the bundle's imports of installed packages resolve.
const OUT = fileURLToPath(new URL(`../../node_modules/.cache/sluice/test-${process.pid}`, import.meta.url));
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe("bundleRouter", () => {
  it("builds a primary and a worker that start a router with no TypeScript loader", async () => {
    cleanups.push(() => rmSync(OUT, { recursive: true, force: true }));
    const main = await bundleRouter(OUT);
    expect(main).toBe(path.join(OUT, "main.mjs"));
    expect(existsSync(path.join(OUT, "worker.mjs"))).toBe(true);
    expect(existsSync(`${OUT}.${process.pid}.tmp`)).toBe(false);

    const dir = mkdtempSync(path.join(tmpdir(), "sluice-bundle-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const child = spawn(process.execPath, [main, "--state-dir", dir, "--listen", "127.0.0.1:0"], { stdio: "ignore" });
    cleanups.push(() => child.kill("SIGKILL"));
    const info = path.join(dir, "router.json");
    await waitUntil(() => existsSync(info) || child.exitCode !== null, 8_000);
    const started = JSON.parse(readFileSync(info, "utf8")) as { pid: number; workerPid: number; listen: string };
    expect(started.pid).toBe(child.pid);
    expect(started.workerPid).toBeGreaterThan(0);
    const res = await fetch(`http://${started.listen}/`);
    expect(res.status).toBe(503); // serving, with no route table yet
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    expect((await exited)[0]).toBe(0);
  });
});
