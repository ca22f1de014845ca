import { describe, expect, it } from "vitest";
import { Rollout } from "../model/index.js";
import { type NotifiedEvent, notificationPayload } from "./payload.js";

const rollout = (namespace?: string, status?: unknown) =>
  Rollout.parse({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "web", ...(namespace ? { namespace } : {}) },
    spec: { template: { process: { command: "node" } }, strategy: { blueGreen: {} } },
    ...(status ? { status } : {}),
  });
const aborted: NotifiedEvent["event"] = {
  reason: "RolloutAborted",
  type: "Warning",
  message: "AnalysisRunFailed: success-rate 0.91 < 0.99; all traffic back to stable revision 1 (abc123)",
  time: "2025-01-02T03:04:05.000Z",
};
const completed: NotifiedEvent["event"] = {
  reason: "RolloutCompleted",
  type: "Normal",
  message: "revision 2 (def456) is stable: 2/2 ready, 100% of traffic",
  time: "2025-01-02T03:05:00.000Z",
};

describe("notificationPayload", () => {
  it.each([
    [
      "json, local rollout with a status",
      "json",
      { rollout: rollout(undefined, { phase: "Degraded", currentRevision: "def456" }), event: aborted },
      {
        rollout: "web",
        reason: "RolloutAborted",
        type: "Warning",
        message: aborted.message,
        time: aborted.time,
        phase: "Degraded",
        revision: "def456",
      },
    ],
    [
      "json, Kubernetes rollout before its first status",
      "json",
      { rollout: rollout("shop"), event: completed },
      {
        rollout: "web",
        namespace: "shop",
        reason: "RolloutCompleted",
        type: "Normal",
        message: completed.message,
        time: completed.time,
      },
    ],
    [
      "slack, a warning, with Slack's control characters escaped",
      "slack",
      { rollout: rollout(), event: aborted },
      {
        text: ":warning: Rollout web: RolloutAborted: AnalysisRunFailed: success-rate 0.91 &lt; 0.99; all traffic back to stable revision 1 (abc123)",
      },
    ],
    [
      "slack, a normal event in a namespace",
      "slack",
      { rollout: rollout("shop"), event: completed },
      { text: "Rollout shop/web: RolloutCompleted: revision 2 (def456) is stable: 2/2 ready, 100% of traffic" },
    ],
  ] as const)("%s", (_what, format, input, expected) => {
    expect(notificationPayload(format, input)).toEqual(expected);
  });

  it("keeps a slack text on one line whatever the message", () => {
    const event = { ...completed, message: "analysis run web-1 failed:\n  latency p99 0.8\n" };
    expect(notificationPayload("slack", { rollout: rollout(), event })).toEqual({
      text: "Rollout web: RolloutCompleted: analysis run web-1 failed: latency p99 0.8",
    });
  });
});
