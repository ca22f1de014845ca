import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { SLUICE_BIN as BIN, runSluice } from "../helpers/cli.js";
import { ControllerProcess } from "../helpers/controller.js";
import { demoRollout, isHealthy, waitForRollout } from "../helpers/rollouts.js";
import { waitFor } from "../helpers/wait.js";

/** Runs the real CLI as a user would, in a pipe (so no TTY and no colour). */
const sluice = runSluice;

describe("sluice CLI against a local controller", () => {
  const c = new ControllerProcess();
  let manifest = "";
  beforeAll(async () => {
    await c.start();
    manifest = path.join(c.stateDir, "web.yaml");
    const strategy = { canary: { steps: [{ setWeight: 50 }, { pause: {} }], scaleDownDelaySeconds: 1 } };
    writeFileSync(manifest, stringify(demoRollout("web", { VERSION: "1.0" }, strategy)));
  });
  afterAll(() => c.destroy());

  const dir = () => ["--state-dir", c.stateDir];

  it("applies a manifest and reports Healthy through status --watch (exit 0)", async () => {
    const applied = await sluice([...dir(), "apply", "-f", manifest]);
    expect(applied.stderr).toBe("");
    expect(applied.stdout.trim()).toBe("rollout/web created");
    const status = await sluice([...dir(), "status", "web", "--watch", "--timeout", "60s"]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/web: Healthy/);
  });

  it("prints JSON that parses, with the resource's shape", async () => {
    const one = await sluice([...dir(), "get", "rollout", "web", "-o", "json"]);
    expect(one.code).toBe(0);
    const rollout = JSON.parse(one.stdout);
    expect(rollout).toMatchObject({ kind: "Rollout", metadata: { name: "web" }, status: { phase: "Healthy" } });
    const list = JSON.parse((await sluice([...dir(), "get", "ro", "-o", "json"])).stdout);
    expect(Array.isArray(list)).toBe(true);
    expect(list.map((r: { metadata: { name: string } }) => r.metadata.name)).toContain("web");
  });

  it("prints a table, and a plain-text live view in a pipe", async () => {
    const table = await sluice([...dir(), "get", "rollouts"]);
    expect(table.stdout.split("\n")[0]).toMatch(/^NAME\s+STRATEGY\s+PHASE/);
    expect(table.stdout).toMatch(/web\s+Canary\s+Healthy/);

    const child = spawn(process.execPath, [BIN, ...dir(), "get", "rollout", "web", "--watch"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    try {
      await waitFor(() => out.includes("---"), { timeoutMs: 20_000, message: "first view" });
      await sluice([...dir(), "set", "env", "web", "VERSION=2.0"]);
      await waitFor(() => /▶ 2\. pause until promoted/.test(out), {
        timeoutMs: 60_000,
        message: "view at the pause",
      });
      expect(out).not.toContain("\u001b[");
      expect(out).toMatch(/Revisions:/);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("exits 1 with one line for an unknown rollout, and for bad manifests applies nothing", async () => {
    const missing = await sluice([...dir(), "promote", "nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    expect(missing.stderr).toMatch(/not found/);

    const bad = path.join(c.stateDir, "bad.yaml");
    writeFileSync(
      bad,
      stringify(demoRollout("other", { VERSION: "1.0" }, { canary: { steps: [{ setWeight: 120 }] } })),
    );
    const applied = await sluice([...dir(), "apply", "-f", bad]);
    expect(applied.code).toBe(1);
    expect(applied.stderr).toMatch(
      /bad\.yaml:\d+ spec\.strategy\.canary\.steps\[0\]\.setWeight: must be between 0 and 100/,
    );
    const list = JSON.parse((await sluice([...dir(), "get", "ro", "-o", "json"])).stdout);
    expect(list.map((r: { metadata: { name: string } }) => r.metadata.name)).not.toContain("other");
  });

  it("status exits 1 for a Degraded rollout and 2 when --watch times out", async () => {
    await waitForRollout(c.api, "web", (r) => r.status?.phase === "Paused");
    const timedOut = await sluice([...dir(), "status", "web", "--watch", "--timeout", "2s"]);
    expect(timedOut.code).toBe(2);
    const aborted = await sluice([...dir(), "abort", "web"]);
    expect(aborted.code).toBe(0);
    await waitForRollout(c.api, "web", (r) => r.status?.phase === "Degraded");
    const status = await sluice([...dir(), "status", "web"]);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/web: Degraded/);
    await sluice([...dir(), "retry", "web"]);
    await sluice([...dir(), "promote", "web", "--full"]);
    await waitForRollout(c.api, "web", isHealthy);
  });

  it("deletes a rollout: its replicas stop and the router no longer serves it", async () => {
    const config = () =>
      JSON.parse(readFileSync(path.join(c.stateDir, "router-config.json"), "utf8")) as {
        rollouts: { rollout: string; backends: { endpoints: string[] }[] }[];
      };
    const endpoints = config()
      .rollouts.filter((r) => r.rollout === "web")
      .flatMap((r) => r.backends.flatMap((b) => b.endpoints));
    expect(endpoints.length).toBeGreaterThan(0);
    const deleted = await sluice([...dir(), "delete", "rollout", "web"]);
    expect(deleted.code).toBe(0);
    expect(config().rollouts.map((r) => r.rollout)).not.toContain("web");
    // Every replica stops answering, and stays stopped: nothing brings the deleted rollout back.
    await waitFor(
      async () => {
        const answers = await Promise.all(
          endpoints.map((e) =>
            fetch(`http://${e}/health`).then(
              () => 1,
              () => 0,
            ),
          ),
        );
        return answers.every((a) => a === 0);
      },
      { timeoutMs: 30_000, message: "replicas of the deleted rollout to stop" },
    );
    const list = JSON.parse((await sluice([...dir(), "get", "ro", "-o", "json"])).stdout);
    expect(list).toEqual([]);
    const after = await Promise.all(
      endpoints.map((e) =>
        fetch(`http://${e}/health`).then(
          () => 1,
          () => 0,
        ),
      ),
    );
    expect(after).toEqual(endpoints.map(() => 0));
  });

  it("says how to start a controller when none runs", async () => {
    const none = await sluice(["--state-dir", path.join(c.stateDir, "nothing-here"), "get", "ro"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no Sluice controller found in .*nothing-here.*sluice up/);
  });
});
