import { describe, expect, it } from "vitest";
import { Rollout } from "../../model/index.js";
import { renderRolloutView, withCountdowns } from "./rollout-view.js";

const rollout = Rollout.parse({
  apiVersion: "sluice.dev/v1alpha1",
  kind: "Rollout",
  metadata: { name: "web" },
  spec: {
    replicas: 3,
    template: { process: { command: "node", args: ["app.js"] } },
    strategy: {
      canary: {
        steps: [
          { setWeight: 20 },
          { pause: { duration: "30s" } },
          { analysis: { templates: [{ templateName: "success-rate" }] } },
          { setWeight: 50 },
        ],
      },
    },
  },
  status: {
    phase: "Progressing",
    message: "step 3/4: analysis",
    currentStepIndex: 2,
    revisions: [
      { hash: "aaaa", number: 1, role: "stable", replicas: 3, weight: 80 },
      { hash: "bbbb", number: 2, role: "canary", replicas: 1, weight: 20 },
    ],
    analysisRuns: { step: "web-2-1-step2" },
  },
});

describe("renderRolloutView", () => {
  it("marks done, current and future steps and draws weights", () => {
    const text = renderRolloutView({ rollout, runs: [], events: [], now: new Date(), color: false });
    expect(text).toContain("  ✓ 1. setWeight 20%");
    expect(text).toContain("  ✓ 2. pause 30s");
    expect(text).toContain("  ▶ 3. analysis success-rate");
    expect(text).toContain("    4. setWeight 50%");
    expect(text).toMatch(/#2 bbbb\s+canary\s+1\s+████░{16}\s+20%/);
    expect(text).not.toContain("\u001b[");
  });

  it("lists stable, baseline and canary with their weights, the baseline beside the canary", () => {
    const status = rollout.status;
    if (!status) throw new Error("fixture has a status");
    const three = {
      ...rollout,
      status: {
        ...status,
        revisions: [
          { hash: "aaaa", number: 1, role: "stable" as const, replicas: 3, weight: 60 },
          { hash: "aaaa-baseline", number: 1, role: "baseline" as const, replicas: 1, weight: 20 },
          { hash: "bbbb", number: 2, role: "canary" as const, replicas: 1, weight: 20 },
        ],
      },
    };
    const text = renderRolloutView({ rollout: three, runs: [], events: [], now: new Date(), color: false });
    const rows = text.split("\n").filter((l) => /^\s+#\d/.test(l));
    expect(rows.map((l) => l.trim().split(/\s+/).slice(0, 3))).toEqual([
      ["#2", "bbbb", "canary"],
      ["#1", "aaaa-baseline", "baseline"],
      ["#1", "aaaa", "stable"],
    ]);
    expect(rows[1]).toMatch(/baseline\s+1\s+████░{16}\s+20%/);
    expect(rows[2]).toMatch(/stable\s+3\s+█{12}░{8}\s+60%/);
  });

  it("shows the share of pods a revision actually gets when it differs from its weight", () => {
    const status = rollout.status;
    if (!status) throw new Error("fixture has a status");
    const onPods = {
      ...rollout,
      status: {
        ...status,
        revisions: status.revisions.map((r) => ({ ...r, actualWeight: r.role === "canary" ? 25 : 75 })),
      },
    };
    const text = renderRolloutView({ rollout: onPods, runs: [], events: [], now: new Date(), color: false });
    expect(text).toMatch(/#2 bbbb .*20% \(actual 25%\)/);
    expect(text).not.toContain("(actual 20%)");
  });

  it("shows each metric's latest value against its condition", () => {
    const run = {
      apiVersion: "sluice.dev/v1alpha1" as const,
      kind: "AnalysisRun" as const,
      metadata: { name: "web-2-1-step2" },
      spec: {
        metrics: [
          {
            name: "success-rate",
            provider: { builtin: { window: "1m", minRequests: 100 } },
            successCondition: "result.canary.successRate >= 0.99",
            failureLimit: 1,
            inconclusiveLimit: 0,
            consecutiveErrorLimit: 4,
            consecutiveSuccessLimit: 0,
          },
        ],
        args: [],
        dryRun: [],
        measurementRetention: [],
        terminate: false,
      },
      status: {
        phase: "Running" as const,
        metricResults: [
          {
            name: "success-rate",
            phase: "Running" as const,
            dryRun: false,
            count: 1,
            successful: 1,
            failed: 0,
            inconclusive: 0,
            error: 0,
            consecutiveError: 0,
            consecutiveSuccess: 1,
            measurements: [{ phase: "Successful" as const, value: "0.997", startedAt: "2026-01-01T00:00:00Z" }],
          },
        ],
      },
    };
    const text = renderRolloutView({ rollout, runs: [run], events: [], now: new Date(), color: false });
    expect(text).toMatch(/success-rate\s+0\.997\s+result\.canary\.successRate >= 0\.99\s+Running\s+failed 0\/1/);
  });

  it("shows the blue-green preview address when the API gives one, and no line otherwise", () => {
    const status = { ...rollout.status!, previewUrl: "http://127.0.0.1:38957" };
    const withPreview = renderRolloutView({
      rollout: { ...rollout, status } as Rollout,
      runs: [],
      events: [],
      now: new Date(),
      color: false,
    });
    expect(withPreview).toContain("Preview:   http://127.0.0.1:38957");
    expect(renderRolloutView({ rollout, runs: [], events: [], now: new Date(), color: false })).not.toContain(
      "Preview:",
    );
  });
});

describe("withCountdowns", () => {
  const now = new Date("2026-12-04T05:18:27.000Z");
  it("turns an absolute pause end into a clock time and a countdown", () => {
    expect(withCountdowns("paused at step 3/10 (pause 5m) until 2026-12-04T05:22:39.325Z", now)).toBe(
      "paused at step 3/10 (pause 5m) until 05:22:39 UTC (in 4m12s)",
    );
  });
  it("says now once the time has passed, and leaves other text alone", () => {
    expect(withCountdowns("until 2026-12-04T05:00:00Z", now)).toBe("until 05:00:00 UTC (now)");
    expect(withCountdowns("step 2/4 (setWeight 20)", now)).toBe("step 2/4 (setWeight 20)");
  });
});
