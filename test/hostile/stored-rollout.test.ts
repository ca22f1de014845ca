import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rollout } from "../../src/model/index.js";
import { openStore } from "../../src/store/index.js";
import { runSluice } from "../helpers/cli.js";
import { ControllerProcess } from "../helpers/controller.js";
import { demoRollout, isHealthy, waitForRollout } from "../helpers/rollouts.js";
import { sample } from "../helpers/traffic.js";

const canary = { canary: { steps: [{ setWeight: 50 }, { pause: {} }], scaleDownDelaySeconds: 1 } };

// A rollout stored by an older Sluice (or written into the database by hand) may hold values today's
// model refuses. Such a rollout once killed the controller on every start; it must be reported on the
// rollout while the controller and every other rollout keep working.
describe("a stored rollout the controller cannot process", () => {
  const c = new ControllerProcess();
  beforeAll(async () => {
    await c.start();
    await c.api.post("/apply", { resources: [demoRollout("good", { VERSION: "1.0" }, canary, 1)] });
    await waitForRollout(c.api, "good", isHealthy, { message: "good Healthy" });
    // Stop the controller (the router and replicas keep running) and plant two rollouts no lint accepts.
    await c.kill9();
    const store = openStore(c.stateDir);
    try {
      const huge = demoRollout("huge", { VERSION: "1.0" }, canary, 1_000_000_000);
      const forever = demoRollout(
        "forever",
        { VERSION: "1.0" },
        { canary: { steps: [{ pause: { duration: "99999999999999999999h" } }] } },
        1,
      );
      for (const r of [huge, forever]) store.putResource(r as unknown as Rollout);
    } finally {
      store.close();
    }
    await c.start();
  });
  afterAll(() => c.destroy());

  it("reports each on its own status, with the field and what to do", async () => {
    const huge = await waitForRollout(c.api, "huge", (r) => r.status?.phase === "Degraded", {
      message: "huge reported Degraded",
    });
    expect(huge.status?.message).toMatch(/spec\.replicas/);
    expect(huge.status?.message).toMatch(/apply it again, or delete/);
    expect(huge.status?.conditions.find((x) => x.type === "InvalidSpec")?.status).toBe("True");
    const forever = await waitForRollout(c.api, "forever", (r) => r.status?.phase === "Degraded", {
      message: "forever reported Degraded",
    });
    expect(forever.status?.message).toMatch(/spec\.strategy\.canary\.steps\[0\]\.pause\.duration/);
  });

  it("records one event per cause, however often it looks again", async () => {
    // Every change anywhere makes the controller look at every rollout again (observationChanged).
    await c.api.post("/rollouts/good/restart", {});
    await waitForRollout(c.api, "good", isHealthy, { message: "good Healthy after restart" });
    const events = await c.api.get<{ reason: string }[]>("/events?kind=Rollout&name=huge");
    expect(events.filter((e) => e.reason === "InvalidSpec")).toHaveLength(1);
  });

  it("keeps serving and changing every other rollout", async () => {
    const { statuses } = await sample(c.routerUrl, 100, { headers: { host: "good" } });
    expect(statuses[200]).toBe(100);
    await c.api.post("/rollouts/good/set", { env: { VERSION: "2.0" } });
    await waitForRollout(c.api, "good", (r) => r.status?.phase === "Paused", { message: "good paused at 50%" });
    await c.api.post("/rollouts/good/promote", {});
    await waitForRollout(c.api, "good", isHealthy, { message: "good Healthy on 2.0" });
  });

  it("gives `sluice status` a failing exit code and lets `sluice delete` remove it", async () => {
    const status = await runSluice(["status", "huge", "--state-dir", c.stateDir]);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/huge: Degraded/);
    const deleted = await runSluice(["delete", "rollout", "huge", "--state-dir", c.stateDir]);
    expect(deleted.code, deleted.stderr).toBe(0);
    const list = await c.api.get<Rollout[]>("/rollouts");
    expect(list.map((r) => r.metadata.name).sort()).toEqual(["forever", "good"]);
  });
});
