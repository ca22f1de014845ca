import { describe, expect, it } from "vitest";
import { kubeEvent } from "./events.js";

describe("kubeEvent", () => {
  it("records the event on the object, with the component and replica that wrote it", () => {
    const time = new Date("2026-11-22T00:00:00Z");
    const body = kubeEvent(
      { kind: "Rollout", metadata: { name: "web", uid: "u1", resourceVersion: "7" } },
      "shop",
      { type: "Warning", reason: "RolloutAborted", message: "error-rate failed" },
      { component: "sluice-controller", instance: "ctl-a" },
      time,
    );
    expect(body).toMatchObject({
      metadata: { generateName: "web.", namespace: "shop" },
      involvedObject: {
        apiVersion: "sluice.dev/v1alpha1",
        kind: "Rollout",
        name: "web",
        namespace: "shop",
        uid: "u1",
        resourceVersion: "7",
      },
      type: "Warning",
      reason: "RolloutAborted",
      reportingComponent: "sluice-controller",
      reportingInstance: "ctl-a",
      firstTimestamp: time,
      count: 1,
    });
  });

  it("leaves out what it does not know", () => {
    const body = kubeEvent(
      { kind: "Rollout", metadata: { name: "web" } },
      "shop",
      { type: "Normal", reason: "CommandReceived", message: "sluice promote" },
      { component: "sluice-cli" },
      new Date(),
    );
    expect(body.involvedObject).not.toHaveProperty("uid");
    expect(body).not.toHaveProperty("reportingInstance");
  });
});
