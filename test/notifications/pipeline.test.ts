import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../../src/api/client.js";
import type { PipelinePayload } from "../../src/notifications/pipeline-payload.js";
import type { EventRecord } from "../../src/ports/control-plane.js";
import { ControllerProcess } from "../helpers/controller.js";
import { demoRollout } from "../helpers/rollouts.js";
import { waitFor } from "../helpers/wait.js";
import { startScriptedServer, type TestServer } from "../providers/servers.js";

// A real `sluice up` telling webhooks on 127.0.0.1 that a release waits for approval, and what came of it.
describe("pipeline notifications on the local platform", () => {
  let ok: TestServer;
  let broken: TestServer;
  let c: ControllerProcess;
  const posts = <T>(hook: TestServer, suffix: string) =>
    hook.requests.filter((r) => r.url === `/${suffix}`).map((r) => JSON.parse(r.body) as T);
  const apiUrl = () => (JSON.parse(readFileSync(path.join(c.stateDir, "api.json"), "utf8")) as { url: string }).url;

  beforeAll(async () => {
    ok = await startScriptedServer();
    broken = await startScriptedServer(() => 500);
    // The JSON webhook's URL comes from the controller's environment, as a secret one would.
    c = await new ControllerProcess(undefined, { SLUICE_TEST_PIPELINE_HOOK: `${ok.url}/ops` }).start();
  });
  afterAll(async () => {
    await c.destroy();
    await ok.close();
    await broken.close();
  });

  it("posts ApprovalRequested when a release reaches an approval gate, then the approval and the promotion", async () => {
    await c.api.post("/apply", {
      resources: [
        demoRollout("shop-prod", { VERSION: "1.0" }, { blueGreen: { autoPromotionEnabled: true } }, 1),
        {
          apiVersion: "sluice.dev/v1alpha1",
          kind: "Pipeline",
          metadata: { name: "shop" },
          spec: {
            stages: [
              { name: "prod", rollout: "shop-prod", approval: { from: { roles: ["approver"] }, timeout: "1h" } },
            ],
            notifications: [
              { name: "ops", webhook: { urlFrom: { env: "SLUICE_TEST_PIPELINE_HOOK" } } },
              {
                name: "chat",
                on: ["ApprovalRequested", "Approved", "Promoted"],
                webhook: { url: `${ok.url}/chat`, format: "slack" },
              },
              { name: "pager", on: ["ApprovalRequested"], webhook: { url: broken.url } },
            ],
          },
        },
      ],
    });
    await c.api.post("/releases", {
      metadata: { name: "v2" },
      spec: { pipeline: "shop", env: [{ name: "VERSION", value: "2.0" }] },
    });

    const requested = await waitFor(
      () => posts<PipelinePayload>(ok, "ops").find((p) => p.type === "ApprovalRequested"),
      { timeoutMs: 30_000, message: "ApprovalRequested posted to the JSON webhook" },
    );
    expect(requested).toMatchObject({ pipeline: "shop", stage: "prod", release: "v2", actor: "sluice" });
    expect(requested.reason).toMatch(/^needs 1 approval from role approver; expires at \d{4}-\d\d-\d\dT/);
    expect(Date.parse(requested.time)).not.toBeNaN();
    const [asked] = await waitFor(() => {
      const got = posts<{ text: string }>(ok, "chat");
      return got.length > 0 ? got : undefined;
    });
    expect(asked?.text).toMatch(
      /^shop: v2 waits for approval in prod \(needs 1 approval from role approver; expires at [^)]+\) — sluice approve shop prod --release v2 --reason …$/,
    );

    const { token } = await c.api.post<{ token: string }>("/tokens", { name: "alice", role: "approver" });
    await new ApiClient(apiUrl(), token).post("/pipelines/shop/approve", {
      stage: "prod",
      release: "v2",
      reason: "load test looked fine",
    });
    // Both are sent at once, so they may arrive in either order.
    const texts = await waitFor(
      () => {
        const got = posts<{ text: string }>(ok, "chat").map((p) => p.text);
        return got.some((t) => t.startsWith("shop: v2 promoted into prod")) && got.some((t) => t.includes("approved"))
          ? got
          : undefined;
      },
      { timeoutMs: 30_000, message: "Approved and Promoted posted to the Slack webhook" },
    );
    expect(texts.slice(1).sort()).toEqual([
      "shop: v2 approved for prod by alice: load test looked fine",
      "shop: v2 promoted into prod: passed the gates of prod; approved by alice",
    ]);
    // At most once, and only what each asked for: `ops` keeps the defaults (no Approved, no Promoted).
    expect(posts<PipelinePayload>(ok, "ops").map((p) => p.type)).toEqual(["ApprovalRequested"]);
    expect(texts).toHaveLength(3);
  });

  it("shows a webhook that answers 500 as an event on the pipeline, a log line and the metric", async () => {
    const failed = await waitFor(
      async () =>
        (await c.api.get<EventRecord[]>("/events?kind=Pipeline&name=shop")).find(
          (e) => e.reason === "NotificationFailed",
        ),
      { timeoutMs: 15_000, message: "NotificationFailed recorded on the pipeline" },
    );
    expect(failed.type).toBe("Warning");
    expect(failed.message).toBe(
      `notification "pager" for ApprovalRequested of v2 in prod was not delivered: webhook ${new URL(broken.url).host} answered HTTP 500 (boom), also on the retry`,
    );
    expect(broken.requests).toHaveLength(2);
    expect(c.output).toContain(`pipeline "shop": ${failed.message}`);
    // A send is counted once its answer is read, a moment after the webhook saw the request.
    const metrics = await waitFor(
      async () => {
        const text = await (await fetch(`${apiUrl()}/metrics`)).text();
        return text.includes('notification="chat",result="sent"} 3') ? text : undefined;
      },
      { timeoutMs: 10_000, message: "three chat notifications counted" },
    );
    expect(metrics).toContain('sluice_notifications_total{pipeline="shop",notification="pager",result="failed"} 1');
    expect(metrics).toContain('sluice_notifications_total{pipeline="shop",notification="chat",result="sent"} 3');
  });
});
