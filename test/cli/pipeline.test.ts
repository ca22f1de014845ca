import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runSluice, SLUICE_BIN } from "../helpers/cli.js";
import { ControllerProcess } from "../helpers/controller.js";
import { demoRollout, isHealthy, waitForRollout } from "../helpers/rollouts.js";
import { waitFor } from "../helpers/wait.js";

/**
 * The pipeline verbs against a real `sluice up`: a release goes through a first stage by itself and
 * waits for a person's approval before the second; a viewer token is refused, an approver's
 * approval is recorded with its name and reason, and `pipeline wait` gates on each stage.
 */
describe("sluice pipeline commands against a local controller", () => {
  const c = new ControllerProcess();
  const tokens = { viewer: "", approver: "" };
  const sluice = (args: string[], env?: Record<string, string>, timeoutMs = 60_000) =>
    runSluice(["--state-dir", c.stateDir, ...args], { timeoutMs, ...(env ? { env } : {}) });

  beforeAll(async () => {
    await c.start();
    const canary = { canary: { steps: [{ setWeight: 50 }], scaleDownDelaySeconds: 0 } };
    const pipeline = {
      apiVersion: "sluice.dev/v1alpha1",
      kind: "Pipeline",
      metadata: { name: "shop" },
      spec: {
        stages: [
          { name: "first", rollout: "shop-first" },
          { name: "second", rollout: "shop-second", approval: { required: 1, from: { roles: ["approver"] } } },
        ],
      },
    };
    const manifest = path.join(c.stateDir, "pipeline.yaml");
    const docs = [
      demoRollout("shop-first", { VERSION: "1.0" }, canary, 1),
      demoRollout("shop-second", { VERSION: "1.0" }, canary, 1),
      pipeline,
    ];
    writeFileSync(manifest, docs.map((d) => stringify(d)).join("---\n"));
    const applied = await sluice(["apply", "-f", manifest]);
    expect(applied.code, applied.stderr).toBe(0);
    await Promise.all([
      waitForRollout(c.api, "shop-first", isHealthy),
      waitForRollout(c.api, "shop-second", isHealthy),
    ]);
    for (const role of ["viewer", "approver"] as const) {
      const made = await sluice(["token", "create", `${role}-bot`, "--role", role]);
      expect(made.code, made.stderr).toBe(0);
      tokens[role] = made.stdout.trim();
    }
  }, 90_000);
  afterAll(() => c.destroy(), 60_000);

  it("creates a release, which passes the first stage by itself", async () => {
    const created = await sluice([
      "release",
      "create",
      "shop",
      "v2",
      "--set-env",
      "VERSION=2.0",
      "--commit",
      "4f2c9a1",
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^release "v2" created for pipeline shop by local-admin at \S+: env VERSION=2\.0$/m);

    const first = await sluice(["pipeline", "wait", "shop", "--release", "v2", "--stage", "first", "--timeout", "60s"]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toMatch(/v2 is Healthy in first/);
  }, 80_000);

  it("shows the second stage waiting for approval, and pipeline wait says so until it times out (exit 2)", async () => {
    const view = await waitFor(
      async () => {
        const r = await sluice(["get", "pipeline", "shop"]);
        return /second\s+shop-second\s+\S+\s+\S+\s+v2\s+Waiting\s+approval waiting \(expires in 23h5\dm\)/.test(
          r.stdout,
        )
          ? r.stdout
          : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250, message: "second stage waiting for approval" },
    );
    expect(view).toMatch(/first\s+shop-first\s+v2\s+v2\s+-\s+Healthy/);
    expect(view).toMatch(
      /second: waiting for approval in second \(expires in 23h5\dm\) — needs 1 approval from role approver/,
    );

    const list = await sluice(["get", "pipelines"]);
    expect(list.stdout).toMatch(/shop\s+2\s+first=v2 Healthy {2}second=\S+ Waiting\(v2: approval\)/);

    const timedOut = await sluice([
      "pipeline",
      "wait",
      "shop",
      "--release",
      "v2",
      "--stage",
      "second",
      "--timeout",
      "2s",
    ]);
    expect(timedOut.code).toBe(2);
    expect(timedOut.stdout).toMatch(/^waiting for approval in second \(expires in 23h5\dm\)$/m);
    expect(timedOut.stderr).toMatch(/timed out after 2s waiting for v2 to be Healthy in second/);
  }, 60_000);

  it("refuses a viewer's approval with the role needed, and records an approver's with its name", async () => {
    const refused = await sluice(["approve", "shop", "second", "--release", "v2", "--reason", "ship it"], {
      SLUICE_TOKEN: tokens.viewer,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused.stderr).toMatch(/^error: API token "viewer-bot" has role viewer; .* needs role approver/);

    // A live view in a pipe prints a block per change: it must show the approval take effect.
    const watch = spawn(
      process.execPath,
      [SLUICE_BIN, "--state-dir", c.stateDir, "get", "pipeline", "shop", "--watch"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let watched = "";
    watch.stdout.on("data", (d) => {
      watched += d;
    });
    try {
      await waitFor(() => watched.includes("---"), { timeoutMs: 20_000, message: "first block of the watch" });
      const approved = await sluice(
        ["approve", "shop", "second", "--release", "v2", "--reason", "checked the canary"],
        {
          SLUICE_TOKEN: tokens.approver,
        },
      );
      expect(approved.code, approved.stderr).toBe(0);
      expect(approved.stdout).toMatch(
        /^recorded #\d+ Approved: release v2 in second of pipeline shop, by approver-bot \(approver\) at \S+: "checked the canary"$/m,
      );

      const second = await sluice([
        "pipeline",
        "wait",
        "shop",
        "--release",
        "v2",
        "--stage",
        "second",
        "--timeout",
        "60s",
      ]);
      expect(second.code, second.stdout + second.stderr).toBe(0);
      expect(second.stdout).toMatch(/v2 is Healthy in second/);
      await waitFor(() => /second\s+shop-second\s+v2\s+v2\s+-\s+Healthy/.test(watched), {
        timeoutMs: 20_000,
        message: "the watch to show the second stage Healthy on v2",
      });
    } finally {
      watch.kill("SIGKILL");
    }
  }, 90_000);

  it("lists the approval in the history with the approver's token name and reason", async () => {
    const history = await sluice(["pipeline", "history", "shop"]);
    expect(history.code, history.stderr).toBe(0);
    const lines = history.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^TIME\s+RELEASE\s+STAGE\s+TYPE\s+ACTOR\s+REASON$/);
    expect(lines).toContainEqual(
      expect.stringMatching(/v2\s+second\s+Approved\s+approver-bot \(approver\)\s+checked the canary$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/v2\s+second\s+Healthy\s+sluice\s+/));

    const json = JSON.parse((await sluice(["pipeline", "history", "shop", "--release", "v2", "-o", "json"])).stdout);
    expect(json.find((e: { type: string }) => e.type === "Approved")).toMatchObject({
      actor: "approver-bot",
      reason: "checked the canary",
      stage: "second",
    });

    const described = await sluice(["describe", "release", "v2"]);
    expect(described.stdout).toMatch(/Created by:\s+local-admin/);
    expect(described.stdout).toMatch(/Commit:\s+4f2c9a1/);
    expect(described.stdout).toMatch(/Running in:\s+first, second/);
  }, 30_000);
});
