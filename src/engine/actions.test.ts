import { describe, expect, it } from "vitest";
import { EngineHarness, rolloutManifest, setVersion } from "./testing.js";

describe("buildActions", () => {
  it("scales serving revisions before traffic, others after, and deletes what status does not list", () => {
    const h = new EngineHarness(rolloutManifest({ strategy: { canary: { steps: [{ pause: {} }] } } }));
    h.settle();
    h.platform.set("orphan0001", { replicas: 1, ready: 1 });
    h.update((s) => setVersion(s, "v2"));
    const types = h.last?.actions.map((a) => [a.type, "hash" in a ? a.hash : undefined]);
    expect(types).toEqual([
      ["scaleRevision", h.hash(1)],
      ["setTraffic", undefined],
      ["ensureRevision", h.hash(2)],
    ]);
    expect(h.deleted).toEqual(["orphan0001"]);
  });

  it("uses ensureRevision (with the template) only for the spec's revision", () => {
    const h = new EngineHarness(
      rolloutManifest({ strategy: { canary: { steps: [{ setWeight: 30 }, { pause: {} }] } } }),
    );
    h.settle();
    h.update((s) => setVersion(s, "v2"));
    const ensure = h.last?.actions.find((a) => a.type === "ensureRevision");
    expect(ensure).toMatchObject({ hash: h.hash(2), replicas: 2, template: h.rollout.spec.template });
    expect(h.last?.actions.filter((a) => a.type === "scaleRevision")).toEqual([
      { type: "scaleRevision", hash: h.hash(1), replicas: 4 },
    ]);
  });
});
