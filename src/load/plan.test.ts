import { describe, expect, it } from "vitest";
import type { AnalysisRun } from "../model/analysis.js";
import type { Rollout } from "../model/rollout.js";
import { wantedLoads } from "./plan.js";

const NOW = new Date("2026-01-01T00:01:00Z");

function rollout(status: Record<string, unknown>, load: Record<string, unknown> | null = { rate: 20 }): Rollout {
  return {
    metadata: { name: "web" },
    spec: {
      paused: false,
      strategy: {
        canary: {
          steps: [
            { setWeight: 10 },
            {
              analysis: {
                templates: [{ templateName: "t" }],
                ...(load ? { load: { concurrency: 10, method: "GET", paths: ["/"], headers: {}, ...load } } : {}),
              },
            },
          ],
        },
      },
    },
    status: { abort: false, currentStepIndex: 1, analysisRuns: { step: "web-run" }, ...status },
  } as unknown as Rollout;
}

function run(phase: string, extra: Record<string, unknown> = {}): AnalysisRun {
  return {
    metadata: { name: "web-run", labels: { "sluice.dev/revision": "c1" } },
    spec: { terminate: false },
    status: { phase, startedAt: "2026-01-01T00:00:30Z" },
    ...extra,
  } as unknown as AnalysisRun;
}

describe("wanted loads", () => {
  it("wants load for a measuring step run, to its canary, until the analysis ends", () => {
    expect(wantedLoads([rollout({})], [run("Running")], NOW)).toEqual([
      expect.objectContaining({
        run: "web-run",
        rollout: "web",
        revision: "c1",
        load: expect.objectContaining({ rate: 20 }),
      }),
    ]);
    expect(wantedLoads([rollout({})], [run("Running")], NOW)[0]?.remainingMs).toBeUndefined();
  });

  it("wants none once the run finished or was told to stop, the rollout aborted or paused, or no load is asked", () => {
    for (const phase of ["Successful", "Failed", "Error", "Inconclusive"])
      expect(wantedLoads([rollout({})], [run(phase)], NOW)).toEqual([]);
    expect(wantedLoads([rollout({})], [run("Running", { spec: { terminate: true } })], NOW)).toEqual([]);
    expect(wantedLoads([rollout({ abort: true })], [run("Running")], NOW)).toEqual([]);
    expect(wantedLoads([rollout({ currentStepIndex: 0 })], [run("Running")], NOW)).toEqual([]);
    expect(wantedLoads([rollout({}, null)], [run("Running")], NOW)).toEqual([]);
    expect(wantedLoads([rollout({})], [], NOW)).toEqual([]);
    const paused = rollout({});
    paused.spec.paused = true;
    expect(wantedLoads([paused], [run("Running")], NOW)).toEqual([]);
  });

  it("counts a duration from the run's start, so a restart does not lengthen it", () => {
    expect(wantedLoads([rollout({}, { rate: 5, duration: "45s" })], [run("Running")], NOW)[0]?.remainingMs).toBe(
      15_000,
    );
    expect(wantedLoads([rollout({}, { rate: 5, duration: "30s" })], [run("Running")], NOW)).toEqual([]);
  });
});
