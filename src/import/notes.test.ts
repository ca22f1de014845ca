import { describe, expect, it } from "vitest";
import { formatNote, NO_EQUIVALENT, Notes } from "./notes.js";

describe("Notes", () => {
  it("formats warnings with file, Kind/name and field path", () => {
    const n = new Notes("rollout.yaml", "Rollout/web");
    n.dropped("spec.strategy.canary.trafficRouting.alb");
    expect(n.notes.map(formatNote)).toEqual([
      `warning: rollout.yaml: Rollout/web spec.strategy.canary.trafficRouting.alb: ${NO_EQUIVALENT}`,
    ]);
    expect(n.hasErrors).toBe(false);
  });

  it("formats errors, and notes without a field or a resource", () => {
    const n = new Notes("all.yaml", "Service/web", 12);
    n.fail("not an Argo Rollouts or Flagger resource; skipped");
    expect(n.notes.map(formatNote)).toEqual([
      "error: all.yaml:12: Service/web: not an Argo Rollouts or Flagger resource; skipped",
    ]);
    expect(n.hasErrors).toBe(true);
    expect(formatNote({ severity: "error", source: "x.yaml", line: 3, message: "YAML syntax: bad" })).toBe(
      "error: x.yaml:3: YAML syntax: bad",
    );
  });

  it("drops repeated notes", () => {
    const n = new Notes("t.yaml", "MetricTemplate/m");
    n.warn("spec.provider.secretRef", "dropped");
    n.warn("spec.provider.secretRef", "dropped");
    expect(n.notes).toHaveLength(1);
  });
});
