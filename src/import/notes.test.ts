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

  it("refuses a document for an unsupported check, or with dropUnsupported only warns", () => {
    const strict = new Notes("c.yaml", "Canary/web", 4);
    strict.unsupported("spec.analysis.webhooks[0]", "a gate");
    expect(strict.hasErrors).toBe(true);
    expect(strict.notes.map(formatNote)).toEqual([
      "error: c.yaml:4: Canary/web spec.analysis.webhooks[0]: a gate; not imported, as it would be less guarded than its source (pass --drop-unsupported to import it without this)",
    ]);
    const lenient = new Notes("c.yaml", "Canary/web", 4, true);
    lenient.unsupported("spec.analysis.webhooks[0]", "a gate");
    expect(lenient.hasErrors).toBe(false);
    expect(lenient.notes.map(formatNote)).toEqual([
      "warning: c.yaml: Canary/web spec.analysis.webhooks[0]: a gate; DROPPED (--drop-unsupported): the imported resource is less guarded than its source",
    ]);
  });

  it("writes info lines that are not failures", () => {
    const n = new Notes("all.yaml", "Service/web", 12);
    n.info("passed over");
    expect(n.notes.map(formatNote)).toEqual(["info: all.yaml: Service/web: passed over"]);
    expect(n.hasErrors).toBe(false);
  });

  it("drops repeated notes", () => {
    const n = new Notes("t.yaml", "MetricTemplate/m");
    n.warn("spec.provider.secretRef", "dropped");
    n.warn("spec.provider.secretRef", "dropped");
    expect(n.notes).toHaveLength(1);
  });
});
