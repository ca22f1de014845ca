import { describe, expect, it } from "vitest";
import { exampleTargets } from "./example-targets.js";
import { deletionIsSafe, rootService, trafficSplit, trafficSplitName, trafficSplitWeight } from "./smi-spec.js";

const targets = exampleTargets();

describe("trafficSplit", () => {
  it("splits the root Service between stable and canary, labelled and owned by the rollout", () => {
    const split = trafficSplit({
      existing: undefined,
      name: "app",
      owner: { name: "app", uid: "u-1" },
      config: { rootService: "web" },
      targets,
      weight: 15,
    });
    expect(split).toEqual({
      apiVersion: "split.smi-spec.io/v1alpha2",
      kind: "TrafficSplit",
      metadata: {
        name: "app",
        namespace: "shop",
        labels: { "sluice.dev/rollout": "app", "app.kubernetes.io/managed-by": "sluice" },
        ownerReferences: [
          { apiVersion: "sluice.dev/v1alpha1", kind: "Rollout", name: "app", uid: "u-1", controller: true },
        ],
      },
      spec: {
        service: "web",
        backends: [
          { service: "web-stable", weight: 85 },
          { service: "web-canary", weight: 15 },
        ],
      },
    });
    expect(trafficSplitWeight(split, targets)).toBe(15);
  });

  it("keeps an existing split's resourceVersion", () => {
    const existing = trafficSplit({
      existing: undefined,
      name: "s",
      owner: { name: "app" },
      config: {},
      targets,
      weight: 0,
    });
    existing.metadata.resourceVersion = "4";
    const next = trafficSplit({ existing, name: "s", owner: { name: "app" }, config: {}, targets, weight: 50 });
    expect(next.metadata.resourceVersion).toBe("4");
    expect(trafficSplitWeight(next, targets)).toBe(50);
  });

  it.each([
    [{}, "app", "web-stable", true],
    [{ trafficSplitName: "split", rootService: "web" }, "split", "web", false],
    [{ rootService: "web-stable" }, "app", "web-stable", true],
  ])("with %j is named %s, splits %s, deletion safe: %s", (config, name, root, safe) => {
    expect(trafficSplitName(config, "app")).toBe(name);
    expect(rootService(config, targets)).toBe(root);
    expect(deletionIsSafe(config, targets)).toBe(safe);
  });

  it("reads no weight from a split that names neither Service", () => {
    expect(
      trafficSplitWeight({ metadata: { name: "x" }, spec: { backends: [{ service: "x", weight: 1 }] } }, targets),
    ).toBe(undefined);
  });
});
