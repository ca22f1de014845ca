import { execFile } from "node:child_process";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILD_SCRIPT } from "../../scripts/k8s/assets.js";
import { freePort } from "../helpers/kube.js";

function build(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("bash", [BUILD_SCRIPT, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

describe("scripts/k8s/build.sh", () => {
  let cache: string;
  beforeEach(async () => {
    cache = await mkdtemp(join(tmpdir(), "sluice-k8s-cache-"));
  });
  afterEach(() => rm(cache, { recursive: true, force: true }));

  it("--check exits 3 without building when nothing is cached", async () => {
    const r = await build(["--check"], { ...process.env, SLUICE_K8S_CACHE: cache });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/is not built yet/);
  });

  it("says in one line that Go is missing", async () => {
    // A PATH with the tools the script needs but no go.
    const bin = join(cache, "bin");
    await execFileAsync("mkdir", [bin]);
    for (const tool of ["bash", "sed", "grep", "date", "mkdir", "flock", "cat", "head", "tee", "mktemp", "rm"]) {
      await symlink(await which(tool), join(bin, tool));
    }
    const r = await build([], { HOME: cache, PATH: bin, SLUICE_K8S_CACHE: cache });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^build\.sh: Go toolchain not found/);
  });

  it("says in one line that the module proxy is unreachable", async () => {
    const port = await freePort();
    const r = await build([], {
      ...process.env,
      SLUICE_K8S_CACHE: cache,
      GOPROXY: `http://127.0.0.1:${port}`,
      GOMODCACHE: join(cache, "modcache"),
      GOFLAGS: "",
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/build\.sh: cannot fetch k8s\.io\/kubernetes@v1\.\d+\.\d+ from the Go module proxy/);
    expect(r.stdout).toBe("");
  });
});

function execFileAsync(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, (err, stdout) => (err ? reject(err) : resolve(stdout.trim()))),
  );
}

function which(tool: string): Promise<string> {
  return execFileAsync("sh", ["-c", `command -v ${tool}`]);
}
