import { describe, expect, it } from "vitest";
import { validateResource } from "./validate.js";

const pipeline = (notifications: unknown) => ({
  apiVersion: "sluice.dev/v1alpha1",
  kind: "Pipeline",
  metadata: { name: "shop" },
  spec: { stages: [{ name: "prod", rollout: "shop-prod" }], notifications },
});
const messages = (notifications: unknown) =>
  validateResource(pipeline(notifications)).issues.map((i) => `${i.path.join(".")}: ${i.message}`);

describe("Pipeline spec.notifications", () => {
  it("takes the same entries as a rollout's, with their defaults", () => {
    const { resource, issues } = validateResource(
      pipeline([{ name: "ops", on: ["ApprovalRequested", "Approved"], webhook: { urlFrom: { env: "HOOK" } } }]),
    );
    expect(issues).toEqual([]);
    expect(resource?.kind === "Pipeline" && resource.spec.notifications).toEqual([
      {
        name: "ops",
        on: ["ApprovalRequested", "Approved"],
        webhook: { urlFrom: { env: "HOOK" }, format: "json", headers: [], timeoutSeconds: 5 },
      },
    ]);
  });

  it("refuses what a rollout's refuses, naming the field", () => {
    expect(messages([{ name: "ops", on: ["NotificationFailed"], webhook: { url: "http://127.0.0.1:9/h" } }])).toEqual([
      "spec.notifications.0.on.0: NotificationFailed is never notified (it would report a webhook's failure to itself)",
    ]);
    expect(messages([{ name: "ops", webhook: {} }])).toEqual([
      "spec.notifications.0.webhook: set exactly one of url or urlFrom",
    ]);
  });

  it("allows at most 20", () => {
    const many = Array.from({ length: 21 }, (_, i) => ({ name: `n${i}`, webhook: { url: "http://127.0.0.1:9/h" } }));
    expect(messages(many)).toHaveLength(1);
    expect(messages(many.slice(0, 20))).toEqual([]);
  });
});
