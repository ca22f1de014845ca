import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runSluice, SLUICE_BIN } from "../helpers/cli.js";
import { ControllerProcess } from "../helpers/controller.js";
import { demoRollout, isHealthy, waitForRollout } from "../helpers/rollouts.js";
import { waitFor } from "../helpers/wait.js";

/** What the CLI tells users about commands that did nothing, errors the controller finds, preview addresses and restarts. */
describe("sluice CLI feedback against a local controller", () => {
  const c = new ControllerProcess();
  const sluice = (...args: string[]) => runSluice(["--state-dir", c.stateDir, ...args]);
  const file = (name: string, docs: unknown[]) => {
    const full = path.join(c.stateDir, name);
    writeFileSync(full, docs.map((d) => stringify(d)).join("---\n"));
    return full;
  };

  beforeAll(async () => {
    await c.start();
    const strategy = { canary: { steps: [{ setWeight: 50 }, { pause: {} }], scaleDownDelaySeconds: 1 } };
    expect(
      (await sluice("apply", "-f", file("web.yaml", [demoRollout("web", { VERSION: "1.0" }, strategy)]))).code,
    ).toBe(0);
    await waitForRollout(c.api, "web", isHealthy);
  });
  afterAll(() => c.destroy());

  it("says what happened when a command changes nothing, and exits 0", async () => {
    const expectLine = async (args: string[], line: string) => {
      const run = await sluice(...args);
      expect([run.code, run.stdout, run.stderr]).toEqual([0, `${line}\n`, ""]);
    };
    await expectLine(["promote", "web"], 'rollout "web" is Healthy; nothing to promote');
    await expectLine(["promote", "web", "--full"], 'rollout "web" is Healthy; nothing to promote');
    await expectLine(["resume", "web"], 'rollout "web" is not paused; nothing to resume');
    await expectLine(["retry", "web"], 'rollout "web" is not aborted; nothing to retry');
    await expectLine(["abort", "web"], 'rollout "web" is Healthy with no release in progress; nothing to abort');

    await expectLine(["set", "env", "web", "VERSION=2.0"], 'rollout "web" env updated; a new revision is rolling out');
    await expectLine(["set", "env", "web", "VERSION=2.0"], 'rollout "web" env unchanged; no new revision');
    await waitForRollout(c.api, "web", (r) => r.status?.phase === "Paused");
    await expectLine(
      ["resume", "web"],
      'rollout "web" was not paused with `sluice pause`; nothing to resume (it waits at a step: `sluice promote web` continues it)',
    );
    const abort = await sluice("abort", "web");
    expect(abort.stdout).toMatch(/^rollout "web" aborted: /);
    await expectLine(["abort", "web"], 'rollout "web" is already aborted; nothing to abort');
    expect((await sluice("retry", "web")).stdout).toMatch(/^rollout "web" retried: /);
    expect((await sluice("promote", "web", "--full")).stdout).toMatch(/^rollout "web" fully promoted: /);
    await waitForRollout(c.api, "web", isHealthy);
  });

  it("names the file and line of errors only the controller finds, with one file or several", async () => {
    const step = (...names: string[]) => ({
      analysis: { templates: names.map((templateName) => ({ templateName })) },
    });
    const single = file("missing.yaml", [
      demoRollout("other", { VERSION: "1.0" }, { canary: { steps: [{ setWeight: 10 }, step("nope")] } }),
    ]);
    const one = await sluice("apply", "-f", single);
    const lineOf = (f: string, text: string) =>
      readFileSync(f, "utf8")
        .split("\n")
        .findIndex((l) => l.includes(text)) + 1;
    expect(one.code).toBe(1);
    expect(one.stderr).toBe(
      `${single}:${lineOf(single, "templateName: nope")} spec.strategy.canary.steps[1].analysis.templates[0].templateName: AnalysisTemplate "nope" not found; apply it first or in the same file\nerror: 1 error(s); nothing was applied\n`,
    );

    const templates = file("templates.yaml", [
      {
        apiVersion: "sluice.dev/v1alpha1",
        kind: "AnalysisTemplate",
        metadata: { name: "fine" },
        spec: { metrics: [{ name: "ok", provider: { command: { command: ["true"], result: "exitCode" } } }] },
      },
    ]);
    const refs = file("refs.yaml", [
      demoRollout("other", { VERSION: "1.0" }, { canary: { steps: [step("fine", "gone")] } }),
    ]);
    const several = await sluice("apply", "-f", templates, refs);
    expect(several.code).toBe(1);
    expect(several.stderr.split("\n")).toEqual([
      `${refs}:${lineOf(refs, "templateName: gone")} spec.strategy.canary.steps[0].analysis.templates[1].templateName: AnalysisTemplate "gone" not found; apply it first or in the same file`,
      "error: 1 error(s); nothing was applied",
      "",
    ]);
    expect(several.stderr).not.toContain("request");
    expect(JSON.parse((await sluice("get", "at", "-o", "json")).stdout)).toEqual([]);
  });

  it("shows a blue-green rollout's preview address in get, describe and the API", async () => {
    const strategy = { blueGreen: { autoPromotionEnabled: false, scaleDownDelaySeconds: 1 } };
    expect(
      (await sluice("apply", "-f", file("bg.yaml", [demoRollout("bg", { VERSION: "1.0" }, strategy, 1)]))).code,
    ).toBe(0);
    await waitForRollout(c.api, "bg", isHealthy);
    await sluice("set", "env", "bg", "VERSION=2.0");
    await waitForRollout(c.api, "bg", (r) => r.status?.phase === "Paused");
    const json = JSON.parse((await sluice("get", "rollout", "bg", "-o", "json")).stdout) as {
      status: { previewUrl?: string };
    };
    const previewUrl = json.status.previewUrl ?? "";
    expect(previewUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const preview = (await (await fetch(`${previewUrl}/version`)).json()) as { version: string };
    expect(preview.version).toBe("2.0");
    expect((await sluice("describe", "rollout", "bg")).stdout).toContain(`Preview:   ${previewUrl}`);
    const wide = (await sluice("get", "ro", "-o", "wide")).stdout.split("\n");
    expect(wide[0]).toMatch(/\bPREVIEW\s+MESSAGE$/);
    expect(wide.find((l) => l.startsWith("bg "))).toContain(previewUrl);
    expect(wide.find((l) => l.startsWith("web "))).toMatch(/\s-\s/);
    expect((await sluice("delete", "rollout", "bg")).code).toBe(0);
  });

  it("keeps `status --watch` going across a controller restart, with one line about it", async () => {
    await sluice("set", "env", "web", "VERSION=3.0");
    await waitForRollout(c.api, "web", (r) => r.status?.phase === "Paused");
    const watcher = spawn(
      process.execPath,
      [SLUICE_BIN, "--state-dir", c.stateDir, "status", "web", "--watch", "--timeout", "120s"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    watcher.stdout.on("data", (d) => {
      stdout += d;
    });
    watcher.stderr.on("data", (d) => {
      stderr += d;
    });
    const exitCode = new Promise<number | null>((resolve) => watcher.on("close", resolve));
    try {
      await waitFor(() => stdout.includes("web: Paused"), { timeoutMs: 20_000, message: "the watch's first line" });
      // SIGTERM stops only the controller; the next one listens on a new API port.
      const stopped = new Promise((resolve) => c.child?.once("close", resolve));
      c.child?.kill("SIGTERM");
      await stopped;
      await waitFor(() => stderr.includes("controller connection lost"), { message: "the connection-lost line" });
      await c.start();
      expect((await sluice("promote", "web", "--full")).code).toBe(0);
      expect(await exitCode).toBe(0);
      expect(stderr).toBe("controller connection lost; reconnecting…\n");
      expect(stdout.trim().split("\n").at(-1)).toMatch(/^web: Healthy/);
    } finally {
      watcher.kill("SIGKILL");
    }
  });
});
