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
