import { describe, expect, it } from "vitest";
import { type Rollout, RolloutSpec } from "../../model/index.js";
import { LOCAL_MAX_REPLICAS, localReplicaProblems } from "./replica-limit.js";

function rollout(spec: Record<string, unknown>): Rollout {
  return {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "web" },
    spec: RolloutSpec.parse({ template: { process: { command: "node" } }, ...spec }),
  };
}

describe("localReplicaProblems", () => {
  it("refuses more replicas than one machine runs as processes, naming each field", () => {
    const r = rollout({
      replicas: 5000,
      strategy: { canary: { steps: [{ setWeight: 10 }, { setCanaryScale: { replicas: 201 } }] } },
    });
    expect(localReplicaProblems(r)).toEqual([
      {
        path: "spec.replicas",
        message: expect.stringMatching(/^5000 replicas is more than the local platform runs \(at most 200/),
      },
      {
        path: "spec.strategy.canary.steps[1].setCanaryScale.replicas",
        message: expect.stringContaining("201 replicas"),
      },
    ]);
    const bg = rollout({ strategy: { blueGreen: { previewReplicaCount: 1000 } } });
    expect(localReplicaProblems(bg).map((p) => p.path)).toEqual(["spec.strategy.blueGreen.previewReplicaCount"]);
  });

  it("accepts up to the limit", () => {
    expect(localReplicaProblems(rollout({ replicas: LOCAL_MAX_REPLICAS, strategy: { blueGreen: {} } }))).toEqual([]);
  });
});
