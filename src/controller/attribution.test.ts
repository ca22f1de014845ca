import { describe, expect, it } from "vitest";
import type { Action, Observation } from "../engine/types.js";
import type { Rollout } from "../model/index.js";
import type { Platform } from "../platform/port.js";
import type { ChangeNotice } from "../ports/control-plane.js";
import { Store } from "../store/store.js";
import { memoryDb } from "../store/test-db.js";
import { Controller } from "./controller.js";

const rollout = (replicas = 1) => ({
  apiVersion: "sluice.dev/v1alpha1",
  kind: "Rollout",
  metadata: { name: "web" },
  spec: {
    replicas,
    template: { process: { command: "node" } },
    strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } },
  },
});

/** Replicas are ready as soon as they are asked for. */
class InstantPlatform implements Platform {
  private readonly replicas = new Map<string, number>();
  async observe(): Promise<Observation> {
    return { revisions: [...this.replicas].map(([hash, n]) => ({ hash, replicas: n, ready: n })) };
  }
  async apply(_r: Rollout, actions: Action[]): Promise<void> {
    for (const a of actions)
      if (a.type === "ensureRevision" || a.type === "scaleRevision") this.replicas.set(a.hash, a.replicas);
  }
  async remove(): Promise<void> {}
}

function setup() {
  const store = new Store(memoryDb(), ":memory:");
  const controller = new Controller({ store, platform: new InstantPlatform(), providers: {} });
  const seen: ChangeNotice[] = [];
  controller.subscribe((c) => seen.push(c));
  const byActor = () =>
    store
      .listEvents({ name: "web" })
      .filter((e) => e.actor)
      .map((e) => `${e.reason} ${e.actor}`);
  return { store, controller, seen, byActor };
}

const admin = { name: "local-admin", role: "admin" };
const bot = { name: "ci-bot", role: "operator" };

describe("Controller: who changed what", () => {
  it("records the actor of an apply that changed something, of a command and of a delete, and tells watchers", async () => {
    const { controller, seen, byActor } = setup();
    await controller.apply([rollout()], { actor: admin, source: "web.yaml" });
    await controller.apply([rollout()], { actor: bot }); // unchanged: nothing happened, nothing recorded
    await controller.apply([rollout(2)], { actor: admin, dryRun: true });
    await controller.command("web", { type: "abort" }, { actor: bot });
    await controller.delete("Rollout", "web", { actor: admin });
    expect(byActor()).toEqual(["Applied local-admin", "CommandReceived ci-bot", "Deleted local-admin"]);
    const watched = seen.flatMap((c) => (c.type === "event" && c.event.actor ? [c.event.reason] : []));
    expect(watched).toEqual(["Applied", "CommandReceived", "Deleted"]);
  });

  it("says what the apply did and where it came from", async () => {
    const { store, controller } = setup();
    await controller.apply([rollout()], { actor: admin, source: "web.yaml" });
    await controller.apply([rollout(3)], { actor: admin, source: "web.yaml" });
    const applied = store.listEvents({ name: "web" }).filter((e) => e.reason === "Applied");
    expect(applied.map((e) => e.message)).toEqual([
      "sluice apply: created from web.yaml, generation 1",
      "sluice apply: configured from web.yaml, generation 2",
    ]);
  });

  it("records no apply event when the apply is refused", async () => {
    const { store, controller } = setup();
    const broken = { ...rollout(), spec: { ...rollout().spec, replicas: -1 } };
    await expect(controller.apply([rollout(), broken], { actor: admin })).rejects.toThrow();
    expect(store.listEvents()).toEqual([]);
  });
});
