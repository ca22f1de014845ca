import { describe, expect, it } from "vitest";
import { Notification } from "./notification.js";
import { validateResource } from "./validate.js";

const withNotifications = (notifications: unknown) => ({
  apiVersion: "sluice.dev/v1alpha1",
  kind: "Rollout",
  metadata: { name: "demo" },
  spec: {
    template: { process: { command: "node" } },
    strategy: { blueGreen: {} },
    notifications,
  },
});
const messages = (notifications: unknown) =>
  validateResource(withNotifications(notifications)).issues.map((i) => `${i.path.join(".")}: ${i.message}`);

describe("spec.notifications", () => {
  it("fills webhook defaults and leaves `on` unset, so the default reasons can grow", () => {
    const parsed = Notification.parse({ name: "ops", webhook: { url: "https://example.test/hook" } });
    expect(parsed).toEqual({
      name: "ops",
      webhook: { url: "https://example.test/hook", format: "json", headers: [], timeoutSeconds: 5 },
    });
  });

  it("accepts urlFrom env or secretKeyRef, and reasons it does not know", () => {
    expect(
      messages([
        { name: "a", on: ["SomeFutureReason"], webhook: { urlFrom: { env: "HOOK_URL" }, format: "slack" } },
        { name: "b", webhook: { urlFrom: { secretKeyRef: { name: "hooks", key: "slack" } } } },
      ]),
    ).toEqual([]);
  });

  it.each([
    [{ name: "a", webhook: {} }, "spec.notifications.0.webhook: set exactly one of url or urlFrom"],
    [
      { name: "a", webhook: { url: "http://x.test", urlFrom: { env: "U" } } },
      "spec.notifications.0.webhook: set exactly one of url or urlFrom",
    ],
    [
      { name: "a", webhook: { urlFrom: { env: "U", secretKeyRef: { name: "s", key: "k" } } } },
      "spec.notifications.0.webhook.urlFrom: set exactly one of env or secretKeyRef",
    ],
    [{ name: "a", on: [""], webhook: { url: "http://x.test" } }, "spec.notifications.0.on.0:"],
    [
      { name: "a", on: ["NotificationFailed"], webhook: { url: "http://x.test" } },
      "spec.notifications.0.on.0: NotificationFailed is never notified",
    ],
    [{ name: "a", webhook: { url: "ftp://x.test" } }, "spec.notifications.0.webhook.url:"],
    [{ name: "a", webhook: { url: "http://x.test", format: "teams" } }, "spec.notifications.0.webhook.format:"],
    [
      { name: "a", webhook: { url: "http://x.test", timeoutSeconds: 0 } },
      "spec.notifications.0.webhook.timeoutSeconds:",
    ],
    [{ name: "a", webhook: { url: "http://x.test", retries: 3 } }, "spec.notifications.0.webhook.retries:"],
  ])("refuses %j with an issue at its field", (notification, expected) => {
    const found = messages([notification]);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(expected);
  });

  it("refuses two notifications with one name", () => {
    const hook = { url: "http://x.test" };
    expect(
      messages([
        { name: "ops", webhook: hook },
        { name: "ops", webhook: hook },
      ]),
    ).toEqual(['spec.notifications.1.name: duplicate notification name "ops" (first at index 0)']);
  });
});
