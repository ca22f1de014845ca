import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CliError } from "../cli-error.js";
import type { Output } from "../output.js";
import { clusterAddCommand } from "./cluster.js";

// The paths that never reach a cluster: bad input is refused before the hub is contacted.
const out: Output & { lines: string[] } = {
  lines: [],
  log(t) {
    this.lines.push(t);
  },
  error(t) {
    this.lines.push(t);
  },
  isTTY: false,
};

function kubeconfigFile(user: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "sluice-cluster-cli-"));
  const path = join(dir, "config");
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:1" } }],
      users: [{ name: "u", user }],
      contexts: [{ name: "t", context: { cluster: "c", user: "u" } }],
      "current-context": "t",
    }),
  );
  return path;
}

describe("sluice cluster add", () => {
  it("refuses a name that is not a DNS label", async () => {
    await expect(clusterAddCommand("Prod_EU", { kubeconfig: "x" }, out)).rejects.toThrow(/cluster name "Prod_EU"/);
  });

  it("needs the target's kubeconfig", async () => {
    await expect(clusterAddCommand("prod", {}, out)).rejects.toThrow(/--kubeconfig FILE/);
  });

  it("refuses an exec plugin before contacting the hub, as a one-line CliError", async () => {
    const path = kubeconfigFile({ exec: { command: "aws", apiVersion: "client.authentication.k8s.io/v1" } });
    const err = await clusterAddCommand("prod", { kubeconfig: path, hubKubeconfig: "/nonexistent" }, out).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CliError);
    expect(String((err as Error).message)).toMatch(/exec or auth-provider plugin/);
    expect(String((err as Error).message)).not.toContain("\n");
  });

  it("names a missing context of the target's kubeconfig", async () => {
    const path = kubeconfigFile({ token: "t" });
    await expect(clusterAddCommand("prod", { kubeconfig: path, context: "nope" }, out)).rejects.toThrow(
      /--context nope/,
    );
    expect(out.lines).toEqual([]);
  });
});
