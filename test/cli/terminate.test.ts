import { describe, expect, it } from "vitest";
import type { AnalysisRun } from "../../src/model/index.js";
import type { EventRecord } from "../../src/ports/control-plane.js";
import { runSluice } from "../helpers/cli.js";
import { demoRollout, isHealthy, waitForRollout } from "../helpers/rollouts.js";
import { teardownAfterEach } from "../helpers/teardown.js";
import { waitFor } from "../helpers/wait.js";

// `sluice terminate analysisrun` against a real `sluice up`: the run ends with the verdict it has
// (too little traffic: Inconclusive), the rollout waits for a person, and who and why are recorded.
const started = teardownAfterEach();

const template = {
  apiVersion: "sluice.dev/v1alpha1",
  kind: "AnalysisTemplate",
  metadata: { name: "long" },
  spec: {
    metrics: [
      {
        name: "success-rate",
        provider: { builtin: { window: "10s", minRequests: 1000 } },
        interval: "1s",
        count: 600,
        inconclusiveLimit: 600,
        successCondition: "result.canary.successRate >= 0.99",
      },
    ],
  },
};

describe("sluice terminate analysisrun", () => {
  it("ends a running analysis run with the verdict it has, recorded with who and why; a second call changes nothing", async () => {
    const c = await started.controller();
    const strategy = {
      canary: { steps: [{ setWeight: 20 }, { analysis: { templates: [{ templateName: "long" }] } }] },
    };
    await c.api.post("/apply", { resources: [template, demoRollout("web", { VERSION: "1.0" }, strategy)] });
    await waitForRollout(c.api, "web", isHealthy);
    await c.api.post("/rollouts/web/set", { env: { VERSION: "2.0" } });
    const running = await waitFor(
      async () =>
        (await c.api.get<AnalysisRun[]>("/analysisruns")).find(
          (r) => r.status?.phase === "Running" && (r.status.metricResults[0]?.measurements.length ?? 0) > 0,
        ),
      { timeoutMs: 30_000, message: "the step's analysis run measures" },
    );
    const name = running.metadata.name;
    const cli = (...args: string[]) => runSluice([...args, "--state-dir", c.stateDir]);

    const missing = await cli("terminate", "analysisrun", "no-such-run");
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    expect(missing.stderr).toContain("no-such-run");

    const ended = await cli("terminate", "analysisrun", name, "--reason", "load test is over");
    expect(ended.stderr).toBe("");
    expect(ended.code).toBe(0);
    expect(ended.stdout).toContain(`analysis run "${name}" terminating`);
    const done = await waitFor(
      async () => {
        const r = await c.api.get<AnalysisRun>(`/analysisruns/${name}`);
        return r.status?.phase !== "Running" ? r : undefined;
      },
      { timeoutMs: 15_000, message: "the terminated run ends" },
    );
    // No traffic reached the canary: undecided, so Inconclusive, and the rollout waits for a person.
    expect(done.status?.phase).toBe("Inconclusive");
    expect(done.spec.terminate).toBe(true);
    const paused = await waitForRollout(c.api, "web", (r) => r.status?.phase === "Paused");
    expect(paused.status?.stableRevision).not.toBe(paused.status?.currentRevision);
    const events = await c.api.get<EventRecord[]>("/events?kind=Rollout&name=web");
    const record = events.find((e) => e.reason === "CommandReceived" && e.message.includes("terminate"));
    expect(record).toMatchObject({
      actor: "local-admin",
      message: `sluice terminate analysisrun ${name}: load test is over`,
    });

    const again = await cli("terminate", "analysisrun", name);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`analysis run "${name}" already ended Inconclusive; nothing to terminate\n`);
  }, 90_000);
});
