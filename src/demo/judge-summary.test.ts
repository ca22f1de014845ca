import { describe, expect, it } from "vitest";
import type { AnalysisRun } from "../model/index.js";
import { judgeDecisionLines, judgeDecisions } from "./judge-summary.js";

function run(name: string, startedAt: string, outcome: "Successful" | "Running", requests: number): AnalysisRun {
  return {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "AnalysisRun",
    metadata: { name, labels: { "sluice.dev/rollout": "demo-canary" } },
    spec: { metrics: [], args: [], dryRun: [], measurementRetention: [], terminate: false },
    status: {
      phase: "Running",
      startedAt,
      metricResults: [
        {
          name: "error-rate",
          phase: "Running",
          dryRun: false,
          count: 1,
          successful: 0,
          failed: 0,
          inconclusive: 0,
          error: 0,
          consecutiveError: 0,
          consecutiveSuccess: 0,
          measurements: [],
          judge: {
            looks: [{ at: 1, canary: { requests, errors: 0 }, baseline: { requests: 10, errors: 0 } }],
            resets: 0,
            outcome,
            explanation: "why",
          },
        },
        {
          name: "latency",
          phase: "Successful",
          dryRun: false,
          count: 3,
          successful: 3,
          failed: 0,
          inconclusive: 0,
          error: 0,
          consecutiveError: 0,
          consecutiveSuccess: 3,
          measurements: [],
        },
      ],
    },
  };
}

describe("judge decisions in the demo summary", () => {
  it("lists each judged metric's outcome and canary requests, oldest run first, thresholds left out", () => {
    const decisions = judgeDecisions([
      run("b", "2026-01-01T00:00:02Z", "Running", 6),
      run("a", "2026-01-01T00:00:01Z", "Successful", 153),
    ]);
    expect(decisions.map((d) => [d.run, d.metric, d.canaryRequests])).toEqual([
      ["a", "error-rate", 153],
      ["b", "error-rate", 6],
    ]);
    const lines = judgeDecisionLines(decisions);
    expect(lines[1]).toBe("  a error-rate: Successful after 153 canary requests — why");
    expect(lines[2]).toContain("b error-rate: stopped undecided after 6 canary requests");
  });

  it("prints nothing without judged metrics", () => {
    expect(judgeDecisionLines([])).toEqual([]);
  });
});
