import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonPayload } from "../../src/notifications/payload.js";
import type { EventRecord } from "../../src/ports/control-plane.js";
import { ControllerProcess } from "../helpers/controller.js";
import { demoRollout, isHealthy, waitForRollout } from "../helpers/rollouts.js";
import { waitFor } from "../helpers/wait.js";
import { startScriptedServer, type TestServer } from "../providers/servers.js";

// A real `sluice up` (controller, router, demo replicas) telling webhooks on 127.0.0.1 about rollouts.
describe("local notifications", () => {
  let ok: TestServer;
  let broken: TestServer;
  let c: ControllerProcess;
  const strategy = {
    canary: { steps: [{ setWeight: 50 }, { pause: {} }], scaleDownDelaySeconds: 1, abortScaleDownDelaySeconds: 1 },
  };
  const posts = <T>(hook: TestServer, suffix: string) =>
    hook.requests.filter((r) => r.url === `/${suffix}`).map((r) => JSON.parse(r.body) as T);

  beforeAll(async () => {
    ok = await startScriptedServer();
    broken = await startScriptedServer(() => 500);
    // The JSON webhook's URL comes from the controller's environment, as a secret one would.
    c = await new ControllerProcess(undefined, { SLUICE_TEST_HOOK: `${ok.url}/ops` }).start();
  });
  afterAll(async () => {
    await c.destroy();
    await ok.close();
    await broken.close();
  });

  it("tells a JSON and a Slack webhook about completion, the pause and an abort, with the numbers", async () => {
    const rollout = {
      ...demoRollout("shop", { VERSION: "1.0" }, strategy, 1),
    };
    rollout.spec = {
      ...rollout.spec,
      notifications: [
        { name: "ops", webhook: { urlFrom: { env: "SLUICE_TEST_HOOK" } } },
        { name: "chat", on: ["RolloutAborted"], webhook: { url: `${ok.url}/chat`, format: "slack" } },
      ],
    } as typeof rollout.spec;
    await c.api.post("/apply", { resources: [rollout] });
    await waitForRollout(c.api, "shop", isHealthy, { message: "v1.0 Healthy" });
    const completed = await waitFor(() => posts<JsonPayload>(ok, "ops").find((p) => p.reason === "RolloutCompleted"), {
      timeoutMs: 10_000,
      message: "RolloutCompleted notified",
    });
    expect(completed).toMatchObject({ rollout: "shop", type: "Normal", phase: "Healthy" });
    expect(completed.message).toMatch(/^revision 1 \(\w+\) is stable: 1\/1 ready, 100% of traffic$/);
    expect(completed.revision).toMatch(/^\w{6,}$/);
    expect(Date.parse(completed.time)).not.toBeNaN();

    await c.api.post("/rollouts/shop/set", { env: { VERSION: "2.0" } });
    await waitForRollout(c.api, "shop", (r) => r.status?.phase === "Paused", { message: "paused at 50%" });
    const paused = await waitFor(() => posts<JsonPayload>(ok, "ops").find((p) => p.reason === "Paused"), {
      timeoutMs: 10_000,
      message: "Paused notified",
    });
    expect(paused.message).toContain("paused at step 2/2");

    await c.api.post("/rollouts/shop/abort", {});
    await waitForRollout(c.api, "shop", (r) => r.status?.phase === "Degraded", { message: "aborted" });
    const aborted = await waitFor(() => posts<JsonPayload>(ok, "ops").find((p) => p.reason === "RolloutAborted"), {
      timeoutMs: 10_000,
      message: "RolloutAborted notified",
    });
    expect(aborted).toMatchObject({ rollout: "shop", type: "Warning", phase: "Degraded" });
    expect(aborted.message).toMatch(/^RolloutAborted: aborted by user; all traffic back to stable revision 1 \(\w+\)$/);
    const [slack, ...more] = await waitFor(() => {
      const got = posts<{ text: string }>(ok, "chat");
      return got.length > 0 ? got : undefined;
    });
    // `chat` is only for aborts: the completion and the pause before it went to `ops` alone.
    expect(more).toEqual([]);
    expect(slack?.text).toMatch(
      /^:warning: Rollout shop: RolloutAborted: RolloutAborted: aborted by user; all traffic back to stable revision 1/,
    );
    expect(ok.requests.every((r) => r.method === "POST" && r.headers["content-type"] === "application/json")).toBe(
      true,
    );
  });

  it("keeps rolling out when a webhook answers 500, and shows the failure as an event and a metric", async () => {
    const rollout = demoRollout("cart", { VERSION: "1.0" }, strategy, 1);
    rollout.spec = {
      ...rollout.spec,
      notifications: [{ name: "pager", webhook: { url: broken.url } }],
    } as typeof rollout.spec;
    await c.api.post("/apply", { resources: [rollout] });
    await waitForRollout(c.api, "cart", isHealthy, { message: "cart Healthy despite its webhook" });

    const failed = await waitFor(
      async () =>
        (await c.api.get<EventRecord[]>("/events?kind=Rollout&name=cart")).find(
          (e) => e.reason === "NotificationFailed",
        ),
      { timeoutMs: 15_000, message: "NotificationFailed recorded" },
    );
    expect(failed.type).toBe("Warning");
    expect(failed.message).toBe(
      `notification "pager" for RolloutCompleted was not delivered: webhook ${new URL(broken.url).host} answered HTTP 500 (boom), also on the retry`,
    );
    // The call and its one retry.
    expect(broken.requests).toHaveLength(2);
    // `sluice up` logs it too.
    expect(c.output).toContain(`rollout "cart": ${failed.message}`);

    const { url: apiUrl } = JSON.parse(readFileSync(path.join(c.stateDir, "api.json"), "utf8")) as { url: string };
    const metrics = await (await fetch(`${apiUrl}/metrics`)).text();
    expect(metrics).toContain('sluice_notifications_total{rollout="cart",notification="pager",result="failed"} 1');
    expect(metrics).toContain('sluice_notifications_total{rollout="shop",notification="ops",result="sent"} 3');

    // The controller carries on: the next revision rolls out (and its own notifications fail the same
    // way, two requests each: a NotificationFailed event is never itself notified).
    await c.api.post("/rollouts/cart/set", { env: { VERSION: "2.0" } });
    await waitForRollout(c.api, "cart", (r) => r.status?.phase === "Paused", { message: "cart v2 paused" });
    await c.api.post("/rollouts/cart/promote", {});
    await waitForRollout(c.api, "cart", isHealthy, { message: "cart v2 Healthy" });
    await waitFor(
      async () =>
        (await c.api.get<EventRecord[]>("/events?kind=Rollout&name=cart")).filter(
          (e) => e.reason === "NotificationFailed",
        ).length === 3,
      { timeoutMs: 15_000, message: "three NotificationFailed events (completed, paused, completed)" },
    );
    expect(broken.requests).toHaveLength(6);
    expect(c.child?.exitCode).toBeNull();
  });

  it("refuses a malformed notification at apply, naming the field", async () => {
    const rollout = demoRollout("bad", { VERSION: "1.0" }, strategy, 1);
    rollout.spec = { ...rollout.spec, notifications: [{ name: "x", webhook: {} }] } as typeof rollout.spec;
    const err = await c.api.post("/apply", { resources: [rollout] }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toContain("spec.notifications[0].webhook: set exactly one of url or urlFrom");
    expect(
      await c.api.get("/rollouts").then((rs) => (rs as { metadata: { name: string } }[]).map((r) => r.metadata.name)),
    ).not.toContain("bad");
  });
});
