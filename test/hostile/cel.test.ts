import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClientError } from "../../src/api/client.js";
import type { AnalysisRun, Rollout } from "../../src/model/index.js";
import { runSluice } from "../helpers/cli.js";
import { ControllerProcess } from "../helpers/controller.js";
import { demoRollout, isHealthy, waitForRollout } from "../helpers/rollouts.js";

// Conditions once ran on the controller's event loop with no bound: a 29-character result against
// `matches("^(a|a)*$")` held /healthz for 12.9 s. Hostile conditions must now be refused at apply
// or stopped in the evaluation process, while the controller keeps answering.

/** A command metric whose result is `value`, printed as JSON by a node one-liner. */
function commandMetric(name: string, value: unknown, successCondition: string) {
  const script = `process.stdout.write(${JSON.stringify(JSON.stringify(value))})`;
  return { name, successCondition, provider: { command: { command: [process.execPath, "-e", script] } } };
}

/** Lint accepts it (every level looks like a one-item list) but it multiplies a list by `copies`, `levels` times. */
function growing(levels: number, copies: number): string {
  let body = `v${levels}.exists(x, x < 0.0)`;
  for (let i = levels; i > 0; i--)
    body = `[${Array(copies)
      .fill(`v${i - 1}`)
      .join(" + ")}].all(v${i}, ${body})`;
  return `[result].all(v0, ${body})`;
}

const NESTED = "result.all(x, result.all(y, result.all(z, x + y + z < 1000.0)))";

const template = (name: string, metrics: unknown[]) => ({
  apiVersion: "sluice.dev/v1alpha1",
  kind: "AnalysisTemplate",
  metadata: { name },
  spec: { metrics },
});

/** Polls /healthz every 50 ms and keeps the slowest answer (a failed request counts as 60 s). */
class HealthWatch {
  slowestMs = 0;
  answers = 0;
  #stop = false;
  #loop: Promise<void> | undefined;

  start(url: string): void {
    this.#loop = (async () => {
      while (!this.#stop) {
        const started = performance.now();
        const ok = await fetch(url, { signal: AbortSignal.timeout(60_000) })
          .then((r) => r.ok)
          .catch(() => false);
        this.slowestMs = Math.max(this.slowestMs, ok ? performance.now() - started : 60_000);
        this.answers++;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stop = true;
    await this.#loop;
  }
}

describe("hostile CEL conditions", () => {
  const c = new ControllerProcess();
  const health = new HealthWatch();

  beforeAll(async () => {
    await c.start();
    const { url } = JSON.parse(readFileSync(path.join(c.stateDir, "api.json"), "utf8")) as { url: string };
    health.start(`${url.replace(/\/+$/, "")}/healthz`);
  });
  afterAll(async () => {
    await health.stop();
    await c.destroy();
  });

  it("refuses three nested loops over the result at apply and at lint, naming the field", async () => {
    const doc = template("nested", [commandMetric("nested", [1, 2, 3], NESTED)]);
    const refused = await c.api.post("/apply", { resources: [doc] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiClientError);
    expect(JSON.stringify(refused)).toMatch(/spec\.metrics\[0\]\.successCondition/);
    expect((refused as ApiClientError).message + JSON.stringify((refused as ApiClientError).extra)).toMatch(
      /over the budget/,
    );

    const file = path.join(c.stateDir, "nested.yaml");
    writeFileSync(file, JSON.stringify(doc));
    const lint = await runSluice(["lint", file]);
    expect(lint.code).not.toBe(0);
    expect(lint.stdout + lint.stderr).toMatch(/spec\.metrics\[0\]\.successCondition.*\n?.*over the budget/);
  });

  it("runs a backtracking pattern in linear time and stops runaway conditions with Error measurements", async () => {
    const hostile = template("hostile", [
      commandMetric("backtrack", `${"a".repeat(28)}b`, 'result.matches("^(a|a)*$")'),
      // 4 × 2^22 items: more time than the deadline allows.
      commandMetric("runaway", [1, 2, 3, 4], growing(22, 2)),
      // 10 × 8^10 items: 8 GB, more memory than the evaluation process (or the controller) has.
      commandMetric("memory", new Array(10).fill(1), growing(10, 8)),
    ]);
    const strategy = {
      canary: { steps: [{ setWeight: 50 }, { analysis: { templates: [{ templateName: "hostile" }] } }] },
    };
    await c.api.post("/apply", { resources: [hostile, demoRollout("web", { VERSION: "1.0" }, strategy, 1)] });
    await waitForRollout(c.api, "web", isHealthy, { message: "web Healthy on 1.0" });
    await c.api.post("/rollouts/web/set", { env: { VERSION: "2.0" } });

    const degraded = await waitForRollout(c.api, "web", (r: Rollout) => r.status?.phase === "Degraded", {
      timeoutMs: 90_000,
      message: "web aborted by its analysis",
    });
    expect(degraded.status?.revisions.find((r) => r.role === "stable")?.weight).toBe(100);
    const runs = await c.api.get<AnalysisRun[]>("/analysisruns");
    const results = runs.flatMap((r) => r.status?.metricResults ?? []);
    const backtrack = results.find((m) => m.name === "backtrack")?.measurements[0];
    // RE2 answers "no match" at once; the rollout fails on it, but nothing hung.
    expect(backtrack).toMatchObject({ phase: "Failed" });
    for (const name of ["runaway", "memory"]) {
      const stopped = results.find((m) => m.name === name)?.measurements[0];
      expect(stopped?.phase, name).toBe("Error");
      expect(stopped?.message, name).toMatch(/deadline|evaluation process exited/);
    }
  });

  it("kept /healthz answering within 1 s throughout", async () => {
    expect(health.answers).toBeGreaterThan(10);
    expect(health.slowestMs).toBeLessThan(1_000);
  });
});
