import { describe, expect, it } from "vitest";
import type { Resource } from "../../ports/control-plane.js";
import { renderList } from "./get.js";

describe("sluice get analysisruns", () => {
  it("has an AGE column, as kubectl argo rollouts list does", () => {
    const run = {
      kind: "AnalysisRun",
      metadata: {
        name: "web-2-1-step4",
        labels: { "sluice.dev/rollout": "web" },
        creationTimestamp: "2026-12-04T05:00:00.000Z",
      },
      spec: { metrics: [{ name: "a" }, { name: "b" }] },
      status: { phase: "Running", message: "" },
    } as unknown as Resource;
    const [header, row] = renderList([run], false, new Date("2026-12-04T05:02:05.000Z")).split("\n");
    expect(header?.split(/\s+/)).toEqual(["NAME", "ROLLOUT", "PHASE", "METRICS", "AGE", "MESSAGE"]);
    expect(row?.trim().split(/\s+/)).toEqual(["web-2-1-step4", "web", "Running", "2", "2m"]);
  });
});

describe("sluice get rollouts", () => {
  const rollout = (revisions: unknown[]) =>
    ({
      kind: "Rollout",
      metadata: { name: "web", creationTimestamp: "2026-12-04T05:00:00.000Z" },
      spec: { strategy: { canary: { baseline: true, steps: [{ setWeight: 20 }, { pause: {} }] } } },
      status: { phase: "Paused", currentStepIndex: 1, revisions, history: [] },
    }) as unknown as Resource;

  it("names the three weights while a baseline runs", () => {
    const text = renderList(
      [
        rollout([
          { hash: "a", number: 1, role: "stable", replicas: 2, weight: 60 },
          { hash: "a-baseline", number: 1, role: "baseline", replicas: 1, weight: 20 },
          { hash: "b", number: 2, role: "canary", replicas: 1, weight: 20 },
        ]),
      ],
      false,
      new Date("2026-12-04T05:02:05.000Z"),
    );
    expect(text.split("\n")[1]).toContain("20% (baseline 20%, stable 60%)");
  });

  it("shows the canary's weight alone without one", () => {
    const text = renderList(
      [
        rollout([
          { hash: "a", number: 1, role: "stable", replicas: 2, weight: 80 },
          { hash: "b", number: 2, role: "canary", replicas: 1, weight: 20 },
        ]),
      ],
      false,
      new Date("2026-12-04T05:02:05.000Z"),
    );
    expect(text.split("\n")[1]).toMatch(/\s20%\s/);
    expect(text).not.toContain("baseline");
  });
});
