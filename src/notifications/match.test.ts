import { describe, expect, it } from "vitest";
import { type Notification, Pipeline, Rollout } from "../model/index.js";
import { matchingNotifications, matchingPipelineNotifications } from "./match.js";

const hook = { url: "http://127.0.0.1:1/hook" };
const rollout = (notifications: unknown[] | undefined) =>
  Rollout.parse({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "web" },
    spec: { template: { process: { command: "node" } }, strategy: { blueGreen: {} }, notifications },
  });
const names = (ns: Notification[]) => ns.map((n) => n.name);

describe("matchingNotifications", () => {
  const r = rollout([
    { name: "default", webhook: hook },
    { name: "started", on: ["RolloutStarted", "RolloutAborted"], webhook: hook },
    { name: "future", on: ["SomethingNew"], webhook: hook },
  ]);

  it.each([
    ["RolloutAborted", ["default", "started"]],
    ["RolloutCompleted", ["default"]],
    ["Paused", ["default"]],
    ["ProgressDeadlineExceeded", ["default"]],
    ["RolloutStarted", ["started"]],
    ["SomethingNew", ["future"]],
    ["StepAdvanced", []],
    ["CommandReceived", []],
    ["NotificationFailed", []],
  ])("%s notifies %j", (reason, expected) => {
    expect(names(matchingNotifications(r, { reason }))).toEqual(expected);
  });

  it("never notifies NotificationFailed, even when a stored spec lists it", () => {
    // The schema refuses it at apply; a spec that got around that still must not loop.
    const sneaky = rollout([{ name: "all", webhook: hook }]);
    sneaky.spec.notifications = [{ ...(sneaky.spec.notifications?.[0] as Notification), on: ["NotificationFailed"] }];
    expect(matchingNotifications(sneaky, { reason: "NotificationFailed" })).toEqual([]);
  });

  it("finds nothing for a rollout without notifications", () => {
    expect(matchingNotifications(rollout(undefined), { reason: "RolloutAborted" })).toEqual([]);
  });
});

describe("matchingPipelineNotifications", () => {
  const pipeline = Pipeline.parse({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Pipeline",
    metadata: { name: "shop" },
    spec: {
      stages: [{ name: "prod", rollout: "shop-prod" }],
      notifications: [
        { name: "default", webhook: hook },
        { name: "shipped", on: ["Promoted", "RolledBack"], webhook: hook },
      ],
    },
  });

  it.each([
    ["ApprovalRequested", ["default"]],
    ["Expired", ["default"]],
    ["Rejected", ["default"]],
    ["Failed", ["default"]],
    ["Promoted", ["shipped"]],
    ["RolledBack", ["shipped"]],
    ["Approved", []],
    ["Denied", []],
    ["GatePassed", []],
  ] as const)("%s notifies %j", (type, expected) => {
    expect(names(matchingPipelineNotifications(pipeline, { type }))).toEqual(expected);
  });

  it("finds nothing for a pipeline without notifications", () => {
    const plain = Pipeline.parse({ ...pipeline, spec: { stages: pipeline.spec.stages } });
    expect(matchingPipelineNotifications(plain, { type: "ApprovalRequested" })).toEqual([]);
  });
});
