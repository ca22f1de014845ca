import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LoadGenerator } from "../../src/demo/load.js";
import { canaryWeight, demoRollout, isHealthy, waitForRollout } from "../helpers/rollouts.js";
import { teardownAfterEach } from "../helpers/teardown.js";
import { waitFor } from "../helpers/wait.js";

const teardown = teardownAfterEach();
const started = (stateDir?: string) => teardown.controller(stateDir);

function endpoints(stateDir: string, rollout: string): string[] {
  const config = JSON.parse(readFileSync(`${stateDir}/router-config.json`, "utf8")) as {
    rollouts: { rollout: string; backends: { endpoints: string[] }[] }[];
  };
  return (config.rollouts.find((r) => r.rollout === rollout)?.backends ?? []).flatMap((b) => b.endpoints).sort();
}

describe("local platform under load", () => {
  it("completes a canary at 200 req/s with zero failed requests, across a kill -9 of the controller", async () => {
    const first = await started();
    const strategy = {
      canary: {
        steps: [{ setWeight: 25 }, { pause: { duration: 3 } }, { setWeight: 50 }, { pause: {} }],
        scaleDownDelaySeconds: 1,
      },
    };
    await first.api.post("/apply", { resources: [demoRollout("web", { VERSION: "1.0" }, strategy, 3)] });
    await waitForRollout(first.api, "web", isHealthy);
    const load = new LoadGenerator({ url: first.routerUrl, ratePerSecond: 200 });
    load.start();
    try {
      await first.api.post("/rollouts/web/set", { env: { VERSION: "2.0" } });
      const atStep = await waitForRollout(first.api, "web", (r) => canaryWeight(r) === 25);
      // Status is committed before the router is told; wait for the router to route to the canary too.
      const servingBefore = await waitFor(() => {
        const eps = endpoints(first.stateDir, "web");
        return eps.length === 4 ? eps : undefined;
      });

      await first.kill9();
      // The router goes on serving with its last config while no controller runs.
      const before = load.current().requests;
      await waitFor(() => load.current().requests > before + 200, {
        timeoutMs: 10_000,
        message: "traffic without a controller",
      });
      expect(load.current().errors).toBe(0);

      const second = await started(first.stateDir);
      // Replicas outlived the controller and were adopted, not restarted.
      expect(endpoints(second.stateDir, "web")).toEqual(servingBefore);
      const resumed = await waitForRollout(second.api, "web", (r) => r.status?.currentRevision !== undefined);
      expect(resumed.status?.currentRevision).toBe(atStep.status?.currentRevision);
      expect(resumed.status?.currentStepIndex).toBeGreaterThanOrEqual(atStep.status?.currentStepIndex ?? 0);

      await waitForRollout(second.api, "web", (r) => r.status?.phase === "Paused" && canaryWeight(r) === 50);
      await second.api.post("/rollouts/web/promote", {});
      await waitForRollout(second.api, "web", isHealthy);
    } finally {
      const traffic = await load.stop();
      expect(traffic.errors).toBe(0);
      // At 200 req/s the rollout took a few seconds: enough requests to have crossed every step.
      expect(traffic.requests).toBeGreaterThan(500);
    }
  });

  it("switches blue-green with the preview reachable first and no failed request", async () => {
    const c = await started();
    const strategy = { blueGreen: { autoPromotionEnabled: false, scaleDownDelaySeconds: 1 } };
    await c.api.post("/apply", { resources: [demoRollout("bg", { VERSION: "1.0" }, strategy)] });
    await waitForRollout(c.api, "bg", isHealthy);
    const load = new LoadGenerator({ url: c.routerUrl, ratePerSecond: 200 });
    load.start();
    try {
      await c.api.post("/rollouts/bg/set", { env: { VERSION: "2.0" } });
      await waitForRollout(c.api, "bg", (r) => r.status?.phase === "Paused");
      const config = JSON.parse(readFileSync(`${c.stateDir}/router-config.json`, "utf8")) as {
        rollouts: { rollout: string; previewListen?: string }[];
      };
      const previewListen = config.rollouts.find((r) => r.rollout === "bg")?.previewListen;
      expect(previewListen).toMatch(/^127\.0\.0\.1:\d+$/);
      const preview = (await (await fetch(`http://${previewListen}/version`)).json()) as { version: string };
      expect(preview.version).toBe("2.0");
      const active = (await (await fetch(`${c.routerUrl}/version`)).json()) as { version: string };
      expect(active.version).toBe("1.0");

      await c.api.post("/rollouts/bg/promote", {});
      await waitForRollout(c.api, "bg", isHealthy);
      const switched = (await (await fetch(`${c.routerUrl}/version`)).json()) as { version: string };
      expect(switched.version).toBe("2.0");
      // Past the scale-down delay the old revision's replicas are gone, drained first.
      await waitForRollout(c.api, "bg", (r) => (r.status?.revisions.length ?? 0) === 1, { timeoutMs: 30_000 });
    } finally {
      const traffic = await load.stop();
      expect(traffic.requests).toBeGreaterThan(200);
      expect(traffic.errors).toBe(0);
    }
  });

  it("aborts a crash-looping canary and keeps stable serving", async () => {
    const c = await started();
    const strategy = { canary: { steps: [{ setWeight: 20 }, { pause: {} }], abortScaleDownDelaySeconds: 0 } };
    await c.api.post("/apply", { resources: [demoRollout("crashy", { VERSION: "1.0" }, strategy)] });
    await waitForRollout(c.api, "crashy", isHealthy);
    await c.api.post("/rollouts/crashy/set", { env: { VERSION: "2.0", CRASH_AFTER_SECONDS: "0" } });
    const degraded = await waitForRollout(c.api, "crashy", (r) => r.status?.phase === "Degraded", {
      timeoutMs: 90_000,
    });
    expect(degraded.status?.abort).toBe(true);
    expect(degraded.status?.message).toMatch(/crash/i);
    const res = await fetch(`${c.routerUrl}/version`);
    expect(((await res.json()) as { version: string }).version).toBe("1.0");
  });

  it("starts the router again, on the same address with the same routes, when it is killed with -9", async () => {
    const c = await started();
    await c.api.post("/apply", { resources: [demoRollout("web", { VERSION: "1.0" }, { canary: { steps: [] } })] });
    await waitForRollout(c.api, "web", isHealthy);
    const routerPid = Number(readFileSync(`${c.stateDir}/router.pid`, "utf8"));
    process.kill(routerPid, "SIGKILL");
    // The old worker may answer for a moment after its primary dies, so wait for the new router.
    await waitFor(() => Number(readFileSync(`${c.stateDir}/router.pid`, "utf8")) !== routerPid, {
      timeoutMs: 30_000,
      message: "a new router process",
    });
    const answer = await waitFor(
      async () => {
        const res = await fetch(`${c.routerUrl}/version`);
        return res.ok ? ((await res.json()) as { version: string }) : undefined;
      },
      { timeoutMs: 30_000, message: "the router to serve again" },
    );
    expect(answer.version).toBe("1.0");
  });

  it("retries idempotent requests when a replica is killed with -9 under load", async () => {
    const c = await started();
    const strategy = { canary: { steps: [] } };
    await c.api.post("/apply", { resources: [demoRollout("solo", { VERSION: "1.0" }, strategy, 3)] });
    await waitForRollout(c.api, "solo", isHealthy);
    const load = new LoadGenerator({ url: c.routerUrl, ratePerSecond: 200 });
    load.start();
    try {
      await waitFor(() => load.current().requests > 200, { timeoutMs: 10_000 });
      const victim = endpoints(c.stateDir, "solo")[0] ?? "";
      const pid = Number(((await (await fetch(`http://${victim}/`)).json()) as { pid: number }).pid);
      process.kill(pid, "SIGKILL");
      const after = load.current().requests;
      await waitFor(() => load.current().requests > after + 400, { timeoutMs: 15_000 });
      // The supervisor restarts the replica and it becomes ready again.
      await waitFor(() => endpoints(c.stateDir, "solo").length === 3, { timeoutMs: 30_000, message: "replica back" });
    } finally {
      const traffic = await load.stop();
      expect(traffic.errors).toBe(0);
    }
  });
});
