import { describe, expect, it } from "vitest";
import type { Pipeline, Rollout } from "../model/index.js";
import {
  allowedActions,
  bucketQuantile,
  countdown,
  describeStep,
  filterRows,
  judgeSeries,
  measurementNumber,
  measurementNumbers,
  overviewRows,
  releaseChanges,
} from "./view-model.js";

function rollout(name: string, status: Partial<NonNullable<Rollout["status"]>>, steps: unknown[] = []): Rollout {
  return {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name },
    spec: { strategy: { canary: { steps } } },
    status: { phase: "Healthy", message: "", revisions: [], pauseConditions: [], abort: false, ...status },
  } as unknown as Rollout;
}

function pipeline(name: string, stages: unknown[]): Pipeline {
  return {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Pipeline",
    metadata: { name },
    spec: {},
    status: { stages },
  } as unknown as Pipeline;
}

describe("overviewRows", () => {
  it("puts what needs a person first: an inconclusive pause, a manual pause, an abort, a waiting approval", () => {
    const rows = overviewRows(
      [
        rollout("a-fine", { phase: "Healthy" }),
        rollout("b-inconclusive", {
          phase: "Paused",
          pauseConditions: [{ reason: "InconclusiveAnalysis", startTime: "x" }],
        }),
        rollout(
          "c-manual",
          { phase: "Paused", currentStepIndex: 1, pauseConditions: [{ reason: "CanaryPauseStep", startTime: "x" }] },
          [{ setWeight: 20 }, { pause: {} }],
        ),
        rollout(
          "d-timed",
          { phase: "Paused", currentStepIndex: 1, pauseConditions: [{ reason: "CanaryPauseStep", startTime: "x" }] },
          [{ setWeight: 20 }, { pause: { duration: "30s" } }],
        ),
        rollout("e-aborted", { phase: "Degraded", abort: true }),
      ],
      [
        pipeline("p", [
          {
            stage: "prod",
            state: "Waiting",
            message: "",
            candidate: "v2",
            gates: [{ gate: "approval", state: "Waiting", message: "" }],
          },
        ]),
      ],
    );
    expect(rows.filter((r) => r.attention).map((r) => r.name)).toEqual([
      "b-inconclusive",
      "c-manual",
      "e-aborted",
      "p",
    ]);
    expect(rows.find((r) => r.name === "p")?.attention).toBe("prod: approval waiting for v2");
    expect(rows.find((r) => r.name === "d-timed")?.attention).toBeUndefined();
    expect(rows.find((r) => r.name === "c-manual")?.step).toBe("1/2");
  });

  it("shows weights of the revisions taking traffic, not old ones", () => {
    const [row] = overviewRows(
      [
        rollout("w", {
          revisions: [
            { hash: "a", number: 1, role: "stable", replicas: 1, weight: 80 },
            { hash: "b", number: 2, role: "canary", replicas: 1, weight: 20 },
            { hash: "c", number: 0 + 3, role: "old", replicas: 0, weight: 0 },
          ],
        }),
      ],
      [],
    );
    expect(row?.weights).toBe("stable 80 · canary 20");
  });

  it("filters by every word and by phase, and keeps 1,000 rows fast", () => {
    const many = Array.from({ length: 1000 }, (_, i) =>
      rollout(`svc-${i}`, { phase: i % 2 ? "Healthy" : "Progressing" }),
    );
    const t0 = performance.now();
    const rows = overviewRows(many, []);
    const shown = filterRows(rows, "svc-99", "Healthy");
    expect(performance.now() - t0).toBeLessThan(500);
    expect(shown.map((r) => r.name).sort()).toEqual(["svc-99", "svc-991", "svc-993", "svc-995", "svc-997", "svc-999"]);
    expect(filterRows(rows, "rollout progressing svc-10 ").length).toBeGreaterThan(0);
    expect(filterRows(rows, "no-such")).toEqual([]);
  });
});

describe("small pieces", () => {
  it("says what each role may do", () => {
    expect(allowedActions("viewer")).toEqual({ rollout: false, approve: false, pipelineOps: false });
    expect(allowedActions("approver")).toEqual({ rollout: false, approve: true, pipelineOps: false });
    expect(allowedActions("operator")).toEqual({ rollout: true, approve: false, pipelineOps: true });
    expect(allowedActions("admin").approve).toBe(true);
  });

  it("describes steps, counts down, reads measurement values", () => {
    expect(describeStep({ setWeight: 20 })).toBe("weight 20");
    expect(describeStep({ pause: {} })).toBe("pause (until promoted)");
    expect(describeStep({ pause: { duration: "1m" } })).toBe("pause 1m");
    expect(describeStep({ analysis: { templates: [{ templateName: "errors" }] } })).toBe("analysis errors");
    const now = new Date("2026-01-01T00:00:00Z");
    expect(countdown("2026-01-01T00:04:12Z", now)).toBe("4m12s");
    expect(countdown("2025-12-31T00:00:00Z", now)).toBe("now");
    expect(measurementNumber("0.25")).toBe(0.25);
    expect(measurementNumber("[3]")).toBe(3);
    expect(measurementNumber('"x"')).toBeNull();
    expect(measurementNumber("not json")).toBeNull();
    expect(measurementNumbers("0.5")).toEqual({ value: 0.5 });
    expect(
      measurementNumbers(
        JSON.stringify({ canary: { errorRate: 0.3, p95: 12 }, stable: { errorRate: 0, p95: null, requests: 0 } }),
      ),
    ).toEqual({ canaryErrorRate: 0.3, stableErrorRate: 0, canaryP95: 12 });
    expect(measurementNumbers('{"x":1}')).toEqual({});
    expect(measurementNumbers(undefined)).toEqual({});
  });

  it("turns the judge's looks into canary and baseline error rate and p95 series", () => {
    const s = judgeSeries([
      { at: 2000, canary: { requests: 100, errors: 10 }, baseline: { requests: 100, errors: 1 } },
      { at: 1000, canary: { requests: 0, errors: 0 }, baseline: { requests: 50, errors: 0 } },
    ]);
    expect(s.t).toEqual([1, 2]);
    expect(s.canaryErrorRate).toEqual([null, 0.1]);
    expect(s.baselineErrorRate).toEqual([0, 0.01]);
    expect(
      bucketQuantile(
        [
          { le: 0.1, count: 90 },
          { le: 0.5, count: 99 },
          { le: Number.POSITIVE_INFINITY, count: 100 },
        ],
        0.95,
      ),
    ).toBe(0.5);
    expect(bucketQuantile([], 0.95)).toBeNull();
  });
});

describe("releaseChanges", () => {
  it("names what a release changes, env names but never their values", () => {
    expect(
      releaseChanges({
        spec: {
          image: "shop:2.0",
          env: [{ name: "VERSION" }, { name: "DB_PASSWORD", value: "secret" } as { name: string }],
          features: { "new-api": true, "legacy-ui": false, limit: 5 },
          source: { commit: "4f2c9a1" },
        },
      }),
    ).toBe("image shop:2.0; env VERSION, DB_PASSWORD; features new-api on, legacy-ui off, limit=5; commit 4f2c9a1");
    expect(releaseChanges({ spec: { command: "node", args: ["app.js"] } })).toBe("command node app.js");
  });
});
