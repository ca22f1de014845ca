import { describe, expect, it } from "vitest";
import { formatNote, Notes } from "./notes.js";
import { workloadFromDeployment } from "./workload.js";

describe("workloadFromDeployment", () => {
  it("takes the pod template, selector and replica settings", () => {
    const n = new Notes("d.yaml", "Deployment/api");
    const template = { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", image: "api:2" }] } };
    const w = workloadFromDeployment(
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "api" },
        spec: {
          replicas: 3,
          minReadySeconds: 10,
          selector: { matchLabels: { app: "api" } },
          strategy: { type: "RollingUpdate" },
          template,
        },
      },
      n,
    );
    expect(w).toEqual({
      template,
      selector: { matchLabels: { app: "api" } },
      spec: { replicas: 3, minReadySeconds: 10 },
    });
    expect(n.notes.map(formatNote)).toEqual([
      "warning: d.yaml: Deployment/api spec.strategy: replaced by the Rollout's strategy; dropped",
    ]);
  });

  it("gives nothing without a pod template", () => {
    expect(workloadFromDeployment({ spec: { replicas: 1 } }, new Notes("d.yaml", undefined))).toBeUndefined();
  });
});
