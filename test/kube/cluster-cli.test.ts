import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { kubeRequest, loadCredentials } from "../../scripts/k8s/api.js";
import { findKubeAssets } from "../../scripts/k8s/assets.js";
import { groupAlive, stopRecordedGroups } from "../../scripts/k8s/processes.js";
import { waitFor } from "../helpers/wait.js";

const CLI = fileURLToPath(new URL("../../scripts/k8s/cluster.ts", import.meta.url));
const skip = !(await findKubeAssets({ build: false })) && process.env.SLUICE_SKIP_KUBE === "1";

function cluster(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", CLI, ...args], { timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
    );
  });
}

describe.skipIf(skip)("scripts/k8s/cluster.ts", () => {
  let dir: string;
  let pids: number[] = [];
  afterAll(async () => {
    // Only if an assertion failed half-way: never leave a control plane behind.
    await stopRecordedGroups(pids, 1_000);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("up leaves a control plane running after it exits, and down stops it", async () => {
    dir = await mkdtemp(join(tmpdir(), "sluice-kube-cli-"));
    const up = await cluster("up", "--dir", dir);
    expect(up.code).toBe(0);
    expect(up.stdout.trim()).toBe(`export KUBECONFIG=${join(dir, "kubeconfig")}`);
    const state = JSON.parse(await readFile(join(dir, "state.json"), "utf8")) as { server: string; pids: number[] };
    pids = state.pids;
    expect(pids).toHaveLength(5);
    expect(pids.every(groupAlive)).toBe(true);

    const creds = await loadCredentials({
      caCert: join(dir, "pki", "ca.crt"),
      adminCert: join(dir, "pki", "admin.crt"),
      adminKey: join(dir, "pki", "admin.key"),
    });
    const nodes = await kubeRequest(`${state.server}/api/v1/nodes`, { credentials: creds });
    expect(nodes.status).toBe(200);
    expect(JSON.parse(nodes.body).items).toHaveLength(1);

    const again = await cluster("up", "--dir", dir);
    expect(again.stdout).toContain(`already running at ${state.server}`);

    const down = await cluster("down", "--dir", dir);
    expect(down.code).toBe(0);
    await waitFor(() => !pids.some(groupAlive), { timeoutMs: 10_000, message: "control plane stopped" });
  });
});
