import { describe, expect, it } from "vitest";
import { type Notification, Rollout } from "../model/index.js";
import { matchingNotifications } from "./match.js";

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
