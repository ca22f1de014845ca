import { describe, expect, it } from "vitest";
import { EngineHarness, rolloutManifest, setVersion } from "./testing.js";

describe("EngineHarness", () => {
  it("applies actions to its fake platform and caps readiness", () => {
    const h = new EngineHarness(rolloutManifest({ strategy: { canary: {} } }));
    h.readyCap[h.versionHash("v1")] = 3;
    h.settle();
    expect(h.platform.get(h.hash(1))).toEqual({ replicas: 4, ready: 3 });
    h.setReadyCap(h.hash(1), undefined);
    expect(h.platform.get(h.hash(1))).toEqual({ replicas: 4, ready: 4 });
    expect(h.templates[h.hash(1)]).toEqual(h.rollout.spec.template);
  });

  it("starts analysis runs as Running and hands out verdicts", () => {
    const h = new EngineHarness(
      rolloutManifest({ strategy: { canary: { steps: [{ analysis: { templates: [{ templateName: "t" }] } }] } } }),
    );
    h.settle();
    h.update((s) => setVersion(s, "v2"));
    expect(h.analysis[h.run("step")]).toEqual({ phase: "Running" });
    h.verdict("step", "Successful");
    expect(h.status.phase).toBe("Healthy");
  });

  it("reports when there is nothing to wake for", () => {
    const h = new EngineHarness(rolloutManifest({ strategy: { canary: {} } }));
    h.settle();
    expect(h.wake()).toBe(false);
  });
});
