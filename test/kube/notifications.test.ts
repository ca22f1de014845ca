import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findKubeAssets } from "../../scripts/k8s/assets.js";
import type { JsonPayload } from "../../src/notifications/payload.js";
import { commandRollout } from "../../src/platform/kubernetes/commands.js";
import { useKubeController } from "../helpers/kube-controller.js";
import { applySluice, createNamespace, getSluice, kubeRollout } from "../helpers/kube-sluice.js";
import { waitFor } from "../helpers/wait.js";
import { startScriptedServer, type TestServer } from "../providers/servers.js";

const skip = !(await findKubeAssets({ build: false })) && process.env.SLUICE_SKIP_KUBE === "1";

// The leader's controller notifies; the webhook URL lives in a Secret of the rollout's namespace.
describe.skipIf(skip)("notifications on a real control plane", () => {
  let hook: TestServer;
  const errors: string[] = [];
  const env = useKubeController("test-controller", {
    metricsListen: { host: "127.0.0.1", port: 0 },
    onError: (m, err) => errors.push(`${m}: ${err instanceof Error ? err.message : String(err)}`),
  });

  beforeAll(async () => {
    hook = await startScriptedServer();
  });
  afterAll(async () => {
    await hook?.close();
  });

  const phaseOf = async (ns: string, name: string) =>
    ((await getSluice(env.kc, ns, "Rollout", name)).status as { phase?: string } | undefined)?.phase;

  it("reads the URL from urlFrom.secretKeyRef, and records a NotificationFailed Event for a missing Secret", async () => {
    const ns = await createNamespace(env.kc, "notify");
    await env.kc.makeApiClient(CoreV1Api).createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: "hooks" }, stringData: { ops: `${hook.url}/ops` } },
    });
    const strategy = { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } };
    const notifications = [
      {
        name: "ops",
        on: ["RolloutCompleted", "RolloutAborted"],
        webhook: { urlFrom: { secretKeyRef: { name: "hooks", key: "ops" } } },
      },
      { name: "lost", on: ["RolloutAborted"], webhook: { urlFrom: { secretKeyRef: { name: "nope", key: "url" } } } },
    ];
    const version = (v: string) => {
      const r = kubeRollout("web", v, strategy, 2);
      r.spec = { ...(r.spec as object), notifications };
      return r;
    };
    await applySluice(env.kc, ns, version("1"));
    const bodies = () => hook.requests.filter((r) => r.url === "/ops").map((r) => JSON.parse(r.body) as JsonPayload);
    const completed = await waitFor(() => bodies().find((b) => b.reason === "RolloutCompleted"), {
      timeoutMs: 60_000,
      message: "RolloutCompleted notified",
    });
    expect(completed).toMatchObject({ rollout: "web", namespace: ns, type: "Normal", phase: "Healthy" });

    await applySluice(env.kc, ns, version("2"));
    await waitFor(async () => (await phaseOf(ns, "web")) === "Paused", { timeoutMs: 60_000, message: "v2 paused" });
    await commandRollout({ kc: env.kc, namespace: ns }, "web", { type: "abort" });
    const aborted = await waitFor(() => bodies().find((b) => b.reason === "RolloutAborted"), {
      timeoutMs: 60_000,
      message: "RolloutAborted notified",
    });
    expect(aborted).toMatchObject({ rollout: "web", namespace: ns, type: "Warning", phase: "Degraded" });
    expect(aborted.message).toMatch(/^RolloutAborted: aborted by user; all traffic back to stable revision 1/);

    // `lost` names a Secret that does not exist: a Warning Event on the rollout says so (kubectl describe).
    const failed = await waitFor(
      async () =>
        (
          await env.kc
            .makeApiClient(CoreV1Api)
            .listNamespacedEvent({ namespace: ns, fieldSelector: "involvedObject.name=web" })
        ).items.find((e) => e.reason === "NotificationFailed"),
      { timeoutMs: 30_000, message: "NotificationFailed Event" },
    );
    expect(failed.type).toBe("Warning");
    expect(failed.involvedObject.kind).toBe("Rollout");
    expect(failed.message).toMatch(
      /^notification "lost" for RolloutAborted was not delivered: no webhook URL: Secret "nope" does not exist$/,
    );
    expect(errors.some((e) => e.includes('notification "lost"'))).toBe(true);

    const metrics = await (await fetch(`${env.runtime.metricsUrl}/metrics`)).text();
    expect(metrics).toContain(`sluice_notifications_total{rollout="${ns}/web",notification="ops",result="sent"} 2`);
    expect(metrics).toContain(`sluice_notifications_total{rollout="${ns}/web",notification="lost",result="failed"} 1`);
  }, 180_000);

  it("refuses at kubectl apply a webhook with both url and urlFrom, and duplicate names (CEL rules in the CRD)", async () => {
    const ns = await createNamespace(env.kc, "notify-bad");
    const rollout = kubeRollout("bad", "1", { canary: { steps: [] } }, 1);
    rollout.spec = {
      ...(rollout.spec as object),
      notifications: [{ name: "x", webhook: { url: "http://127.0.0.1:1/", urlFrom: { env: "U" } } }],
    };
    const err = await applySluice(env.kc, ns, rollout).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(String(err?.message ?? err)).toContain("set exactly one of webhook.url or webhook.urlFrom");

    // Two notifications with one name: refused by the CRD too, not only by `sluice apply`.
    const hook = { url: "http://127.0.0.1:1/" };
    rollout.spec = {
      ...(rollout.spec as object),
      notifications: [
        { name: "x", webhook: hook },
        { name: "x", webhook: hook },
      ],
    };
    const dup = await applySluice(env.kc, ns, rollout).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(String(dup?.message ?? dup)).toContain("notification names must be unique within the rollout");
  });
});
