import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../test/helpers/wait.js";
import { startScriptedServer, type TestServer } from "../../test/providers/servers.js";
import { ControllerMetrics } from "../controller/metrics.js";
import type { RolloutEvent } from "../engine/types.js";
import { Pipeline, Rollout } from "../model/index.js";
import type { ChangeNotice, EventRecord, RecordedEntry, Resource } from "../ports/control-plane.js";
import { Notifier, type NotifierOptions, type NotifierSource } from "./notifier.js";

/** Stands in for the Controller: rollouts by name, and a change stream the test drives. */
class FakeSource implements NotifierSource {
  readonly rollouts = new Map<string, Resource>();
  readonly pipelines = new Map<string, Resource>();
  readonly recorded: EventRecord[] = [];
  private readonly listeners = new Set<(c: ChangeNotice) => void>();
  private nextId = 1;
  subscribe(l: (c: ChangeNotice) => void) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  get(kind: string, name: string) {
    return (kind === "Pipeline" ? this.pipelines : this.rollouts).get(name);
  }
  emit(name: string, reason: string, kind: EventRecord["kind"] = "Rollout") {
    const event: EventRecord = {
      id: this.nextId++,
      kind,
      name,
      time: "2025-01-02T03:04:05.000Z",
      type: "Warning",
      reason,
      message: `${reason} happened`,
    };
    for (const l of this.listeners) l({ type: "event", event });
    return event;
  }
  record(name: string, entry: Omit<RecordedEntry, "seq" | "pipeline" | "time" | "reason"> & { reason?: string }) {
    const recorded = { seq: this.nextId++, pipeline: name, time: "2025-01-02T03:04:05.000Z", reason: "", ...entry };
    for (const l of this.listeners) l({ type: "record", kind: "Pipeline", name, entry: recorded });
  }
  // Like the Controller: the recorded event goes to every watcher, the notifier included.
  async recordEvent(name: string, e: RolloutEvent, kind: "Rollout" | "Pipeline" = "Rollout") {
    const event = { ...e, id: this.nextId++, kind, name, time: new Date().toISOString() };
    this.recorded.push(event);
    for (const l of this.listeners) l({ type: "event", event });
  }
}

const bodies = (server: TestServer) => server.requests.map((r) => JSON.parse(r.body) as unknown);

const rollout = (name: string, notifications: unknown[]) =>
  Rollout.parse({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name },
    spec: { template: { process: { command: "node" } }, strategy: { blueGreen: {} }, notifications },
    status: { phase: "Degraded", currentRevision: "abc123" },
  });

describe("Notifier", () => {
  let hook: TestServer | undefined;
  let notifier: Notifier | undefined;
  afterEach(async () => {
    notifier?.stop();
    await hook?.close();
    hook = undefined;
    notifier = undefined;
  });

  async function setup(
    answer: (n: number) => number | "hang",
    extra: Partial<NotifierOptions> = {},
    webhook: object = {},
  ) {
    hook = await startScriptedServer(answer);
    const source = new FakeSource();
    source.rollouts.set(
      "web",
      rollout("web", [{ name: "ops", webhook: { url: `${hook.url}/T000/s3cret`, ...webhook } }]),
    );
    const metrics = new ControllerMetrics();
    const errors: string[] = [];
    notifier = new Notifier({
      source,
      metrics,
      retryDelayMs: 20,
      onError: (m, err) => errors.push(`${m}: ${err instanceof Error ? err.message : String(err)}`),
      ...extra,
    });
    notifier.start();
    const count = async (result: string) => {
      const line = (await metrics.text())
        .split("\n")
        .find((l) => l.startsWith(`sluice_notifications_total{rollout="web",notification="ops",result="${result}"}`));
      return line ? Number(line.split(" ").pop()) : 0;
    };
    return { source, errors, count, hook, notifier };
  }

  it("posts the events a notification is for, and nothing else", async () => {
    const { source, count, hook, notifier } = await setup(() => 200);
    source.emit("web", "StepAdvanced");
    source.emit("web", "RolloutAborted");
    source.emit("web", "RolloutCompleted", "AnalysisRun");
    source.emit("other", "RolloutAborted");
    await notifier.idle();
    expect(bodies(hook)).toEqual([
      {
        rollout: "web",
        reason: "RolloutAborted",
        type: "Warning",
        message: "RolloutAborted happened",
        time: "2025-01-02T03:04:05.000Z",
        phase: "Degraded",
        revision: "abc123",
      },
    ]);
    expect(await count("sent")).toBe(1);
  });

  it("reports a webhook that keeps failing: log, metric and one NotificationFailed event, which is not notified", async () => {
    const { source, errors, count, hook, notifier } = await setup(() => 500);
    source.emit("web", "RolloutAborted");
    await waitFor(() => source.recorded.length > 0, { message: "NotificationFailed recorded" });
    await notifier.idle();
    const host = new URL(hook.url).host;
    const message = `notification "ops" for RolloutAborted was not delivered: webhook ${host} answered HTTP 500 (boom), also on the retry`;
    expect(source.recorded.map((e) => [e.type, e.reason, e.message])).toEqual([
      ["Warning", "NotificationFailed", message],
    ]);
    expect(errors).toEqual([`rollout "web": ${message}`]);
    expect(await count("failed")).toBe(1);
    // One call and its retry; the recorded NotificationFailed event went to the notifier too and sent nothing.
    expect(hook.requests).toHaveLength(2);
  });

  it("never puts the webhook URL in a message: its path is often the secret", async () => {
    const { source, errors, notifier } = await setup(() => 500, {}, { headers: [] });
    source.emit("web", "Paused");
    await waitFor(() => source.recorded.length > 0);
    await notifier.idle();
    expect([...errors, ...source.recorded.map((e) => e.message)].join("\n")).not.toContain("s3cret");
  });

  it("reads urlFrom.env through readEnv, and reports a variable that is not set", async () => {
    hook = await startScriptedServer();
    const source = new FakeSource();
    source.rollouts.set(
      "web",
      rollout("web", [
        { name: "set", webhook: { urlFrom: { env: "HOOK_URL" }, format: "slack" } },
        { name: "unset", webhook: { urlFrom: { env: "NO_SUCH_HOOK" } } },
      ]),
    );
    const url = hook.url;
    notifier = new Notifier({ source, readEnv: (n) => (n === "HOOK_URL" ? url : undefined), retryDelayMs: 20 });
    notifier.start();
    source.emit("web", "RolloutCompleted");
    await waitFor(() => source.recorded.length > 0);
    await notifier.idle();
    expect(bodies(hook)).toEqual([{ text: ":warning: Rollout web: RolloutCompleted: RolloutCompleted happened" }]);
    expect(source.recorded.map((e) => e.message)).toEqual([
      'notification "unset" for RolloutCompleted was not delivered: no webhook URL: environment variable NO_SUCH_HOOK is not set',
    ]);
  });

  it("bounds the sends in flight and the queue: a hanging webhook drops the surplus and counts it", async () => {
    const { source, errors, count, hook, notifier } = await setup(
      () => "hang",
      { maxConcurrent: 1, maxQueued: 2 },
      { timeoutSeconds: 30 },
    );
    for (let i = 0; i < 5; i++) source.emit("web", "Paused");
    await waitFor(() => hook.requests.length === 1, { message: "the first POST" });
    // One in flight, two waiting, two dropped at once: no second request while the first hangs.
    expect(await count("dropped")).toBe(2);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toContain("too many notifications are waiting");
    expect(hook.requests).toHaveLength(1);
    notifier.stop();
    await notifier.idle();
    // A stopped notifier neither counts its cut-short send as failed nor sends what waited.
    expect(await count("failed")).toBe(0);
    expect(hook.requests).toHaveLength(1);
    expect(source.recorded).toEqual([]);
  });

  it("stops listening when stopped", async () => {
    const { source, hook, notifier } = await setup(() => 200);
    notifier.stop();
    source.emit("web", "RolloutAborted");
    await notifier.idle();
    expect(hook.requests).toEqual([]);
  });
});

describe("Notifier on pipelines", () => {
  let hook: TestServer | undefined;
  let notifier: Notifier | undefined;
  afterEach(async () => {
    notifier?.stop();
    await hook?.close();
    hook = undefined;
    notifier = undefined;
  });

  async function setup(answer: (n: number) => number | "hang") {
    hook = await startScriptedServer(answer);
    const source = new FakeSource();
    source.pipelines.set(
      "shop",
      Pipeline.parse({
        apiVersion: "sluice.dev/v1alpha1",
        kind: "Pipeline",
        metadata: { name: "shop" },
        spec: {
          stages: [{ name: "prod", rollout: "shop-prod" }],
          notifications: [{ name: "ops", webhook: { url: `${hook.url}/T000/s3cret` } }],
        },
      }),
    );
    const metrics = new ControllerMetrics();
    const errors: string[] = [];
    notifier = new Notifier({
      source,
      metrics,
      retryDelayMs: 20,
      onError: (m, err) => errors.push(`${m}: ${err instanceof Error ? err.message : String(err)}`),
    });
    notifier.start();
    const count = async (result: string) => {
      const line = (await metrics.text())
        .split("\n")
        .find((l) => l.startsWith(`sluice_notifications_total{pipeline="shop",notification="ops",result="${result}"}`));
      return line ? Number(line.split(" ").pop()) : 0;
    };
    return { source, errors, count, hook, notifier };
  }

  it("posts the record entries a notification is for, once each, whoever wrote them", async () => {
    const { source, count, hook, notifier } = await setup(() => 200);
    source.record("shop", { release: "v2.0", stage: "prod", type: "GatePassed", actor: "sluice", gate: "soak" });
    source.record("shop", {
      release: "v2.0",
      stage: "prod",
      type: "ApprovalRequested",
      actor: "sluice",
      reason: "needs 1 approval",
    });
    // The planner's entries are also Pipeline events with the same reason: those must not send again.
    source.emit("shop", "ApprovalRequested", "Pipeline");
    source.record("shop", { release: "v2.0", stage: "prod", type: "Approved", actor: "alice" });
    source.record("shop", { release: "v2.1", type: "Rejected", actor: "bob", reason: "CVE" });
    source.record("gone", { release: "v2.0", type: "Rejected", actor: "bob" });
    await notifier.idle();
    expect(bodies(hook)).toEqual([
      {
        pipeline: "shop",
        stage: "prod",
        release: "v2.0",
        type: "ApprovalRequested",
        actor: "sluice",
        reason: "needs 1 approval",
        time: "2025-01-02T03:04:05.000Z",
      },
      {
        pipeline: "shop",
        release: "v2.1",
        type: "Rejected",
        actor: "bob",
        reason: "CVE",
        time: "2025-01-02T03:04:05.000Z",
      },
    ]);
    expect(await count("sent")).toBe(2);
  });

  it("reports a webhook that keeps failing as a NotificationFailed event on the pipeline, a log line and the metric", async () => {
    const { source, errors, count, hook, notifier } = await setup(() => 500);
    source.record("shop", { release: "v2.0", stage: "prod", type: "Expired", actor: "sluice" });
    await waitFor(() => source.recorded.length > 0, { message: "NotificationFailed recorded" });
    await notifier.idle();
    const host = new URL(hook.url).host;
    const message = `notification "ops" for Expired of v2.0 in prod was not delivered: webhook ${host} answered HTTP 500 (boom), also on the retry`;
    expect(source.recorded.map((e) => [e.kind, e.name, e.type, e.reason, e.message])).toEqual([
      ["Pipeline", "shop", "Warning", "NotificationFailed", message],
    ]);
    expect(errors).toEqual([`pipeline "shop": ${message}`]);
    expect(errors.join("\n")).not.toContain("s3cret");
    expect(await count("failed")).toBe(1);
    expect(hook.requests).toHaveLength(2);
  });
});
