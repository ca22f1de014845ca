import { describe, expect, it } from "vitest";
import { waitFor } from "../../test/helpers/wait.js";
import type { Action, Observation } from "../engine/types.js";
import type { Rollout } from "../model/index.js";
import type { Platform } from "../platform/port.js";
import { Store } from "../store/store.js";
import { memoryDb } from "../store/test-db.js";
import { Controller } from "./controller.js";

const rollout = {
  apiVersion: "sluice.dev/v1alpha1",
  kind: "Rollout",
  metadata: { name: "web" },
  spec: {
    replicas: 1,
    template: { process: { command: "node" } },
    strategy: { canary: { steps: [{ setWeight: 50 }] } },
  },
};

/** A platform whose replicas are ready as soon as they are asked for, and which can be told to fail. */
class FlakyPlatform implements Platform {
  failWith: string | undefined;
  observeCalls = 0;
  private readonly replicas = new Map<string, number>();
  async observe(): Promise<Observation> {
    this.observeCalls++;
    if (this.failWith) throw new Error(this.failWith);
    return { revisions: [...this.replicas].map(([hash, n]) => ({ hash, replicas: n, ready: n })) };
  }
  async apply(_r: Rollout, actions: Action[]): Promise<void> {
    for (const a of actions)
      if (a.type === "ensureRevision" || a.type === "scaleRevision") this.replicas.set(a.hash, a.replicas);
      else if (a.type === "deleteRevision") this.replicas.delete(a.hash);
  }
  async remove(): Promise<void> {}
}

function setup() {
  const store = new Store(memoryDb(), ":memory:");
  const platform = new FlakyPlatform();
  const errors: string[] = [];
  const controller = new Controller({
    store,
    platform,
    providers: {},
    onError: (message) => errors.push(message),
  });
  return { store, platform, controller, errors };
}

const statusOf = (store: Store) => (store.getResource("Rollout", "web") as Rollout).status;

describe("Controller: a reconcile that throws", () => {
  it("marks the rollout Degraded with the cause, once per cause, and recovers when the cause goes", async () => {
    const { store, platform, controller, errors } = setup();
    platform.failWith = "disk on fire";
    await controller.apply([rollout]);
    await waitFor(() => statusOf(store)?.phase === "Degraded", { timeoutMs: 5_000, message: "Degraded" });
    expect(statusOf(store)?.message).toMatch(/^reconcile failed: disk on fire; Sluice retries in 1s/);
    expect(statusOf(store)?.conditions.find((c) => c.type === "ReconcileError")?.status).toBe("True");

    // The retry fails again for the same cause: no second event, no second log line.
    await waitFor(() => platform.observeCalls >= 2, { timeoutMs: 5_000, message: "a retry" });
    await controller.idle();
    const events = controller.events({ kind: "Rollout", name: "web" }).filter((e) => e.reason === "ReconcileFailed");
    expect(events).toHaveLength(1);
    expect(errors).toHaveLength(1);

    platform.failWith = undefined;
    await waitFor(() => statusOf(store)?.phase !== "Degraded", { timeoutMs: 10_000, message: "recovered" });
    expect(statusOf(store)?.conditions.some((c) => c.type === "ReconcileError")).toBe(false);
    controller.stop();
  });
});

describe("Controller: a stored spec that today's model refuses", () => {
  it("is reported on the rollout and never reaches the platform", async () => {
    const { store, platform, controller } = setup();
    store.putResource({ ...rollout, spec: { ...rollout.spec, replicas: -5 } } as unknown as Rollout);
    controller.start();
    await waitFor(() => statusOf(store)?.phase === "Degraded", { timeoutMs: 5_000, message: "Degraded" });
    expect(statusOf(store)?.message).toMatch(/spec\.replicas/);
    expect(platform.observeCalls).toBe(0);
    controller.observationChanged("web");
    await controller.idle();
    const events = controller.events({ kind: "Rollout", name: "web" }).filter((e) => e.reason === "InvalidSpec");
    expect(events).toHaveLength(1);
    controller.stop();
  });
});
