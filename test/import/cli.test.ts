import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { loadText } from "../../src/model/load.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));

/** Runs the real CLI from the repository root; resolves with exit code and both streams. */
async function sluice(args: string[], input?: string) {
  const child = run(process.execPath, ["bin/sluice.js", ...args], { cwd: root, timeout: 60_000 });
  if (input !== undefined) child.child.stdin?.end(input);
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout: string; stderr: string };
    return { code: e.code ?? -1, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("sluice import (the CLI as a child process)", () => {
  it("translates the Argo canary fixture: YAML on stdout, warnings on stderr, exit 0", async () => {
    const fixture = "test/import/fixtures/argo-canary.yaml";
    const r = await sluice(["import", fixture]);
    expect(r.code).toBe(0);
    const loaded = loadText(r.stdout, "stdout");
    expect(loaded.errors).toEqual([]);
    expect(loaded.resources.map((x) => `${x.kind}/${x.metadata.name}`)).toEqual([
      "Rollout/backend",
      "AnalysisTemplate/backend-success-rate",
      "AnalysisTemplate/backend-latency",
      "AnalysisTemplate/backend-uptime",
    ]);
    const warnings = r.stderr.split("\n").filter((l) => l.startsWith("warning: ") || l.startsWith("error: "));
    expect(warnings).toEqual([
      `warning: ${fixture}: Rollout/backend spec.strategy.canary.canaryMetadata: no Sluice equivalent; dropped`,
      `warning: ${fixture}: Rollout/backend spec.strategy.canary.steps[5].experiment: Argo Experiments are not supported yet; dropped`,
      `warning: ${fixture}: Rollout/backend spec.strategy.canary.steps[6].analysis.args[2].valueFrom.fieldRef: Sluice cannot read fields of the rollout into argument "namespace"; set a value by hand; dropped`,
    ]);
  }, 90_000);

  it("reads standard input and exits 1 on an Argo Experiment, which it cannot translate yet", async () => {
    const input = "apiVersion: argoproj.io/v1alpha1\nkind: Experiment\nmetadata: {name: compare}\nspec: {}\n";
    const r = await sluice(["import", "-"], input);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      "error: <stdin>:1: Experiment/compare: Argo Experiments are not supported yet; run the experiment's versions as separate Rollouts",
    );
  }, 90_000);

  it("refuses a Canary with a metric it cannot translate, and imports it with --drop-unsupported", async () => {
    const fixture = "test/import/refused/flagger-datadog.yaml";
    const strict = await sluice(["import", fixture]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toBe("");
    expect(strict.stderr).toContain(
      'error: test/import/refused/flagger-datadog.yaml:22: Canary/payments spec.analysis.metrics[1].templateRef: metric "p95-latency"',
    );
    const lenient = await sluice(["import", "--drop-unsupported", fixture]);
    expect(lenient.code).toBe(0);
    expect(loadText(lenient.stdout, "stdout").resources.map((x) => `${x.kind}/${x.metadata.name}`)).toEqual([
      "Rollout/payments",
      "AnalysisTemplate/payments-analysis",
    ]);
    expect(lenient.stderr).toContain("DROPPED (--drop-unsupported)");
  }, 90_000);
});
