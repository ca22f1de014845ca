import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ControllerProcess } from "../helpers/controller.js";
import { canaryWeight, demoRollout, isHealthy, waitForRollout } from "../helpers/rollouts.js";
import { requestsSeenBy, sample } from "../helpers/traffic.js";
import { waitFor } from "../helpers/wait.js";

// Real processes end to end: `sluice up`, the router process, demo app replicas, HTTP on 127.0.0.1.
describe("local canary", () => {
  const c = new ControllerProcess();
  beforeAll(() => c.start());
  afterAll(() => c.destroy());

  it("runs to Healthy, and the shares measured at the backends match each step's weight", async () => {
    const strategy = {
      canary: {
        steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: {} }],
        scaleDownDelaySeconds: 1,
      },
    };
    await c.api.post("/apply", { resources: [demoRollout("web", { VERSION: "1.0" }, strategy)] });
    await waitForRollout(c.api, "web", isHealthy, { message: "v1.0 Healthy" });

    await c.api.post("/rollouts/web/set", { env: { VERSION: "2.0" } });
    for (const weight of [20, 50]) {
      await waitForRollout(c.api, "web", (r) => r.status?.phase === "Paused" && canaryWeight(r) === weight, {
        message: `paused at ${weight}%`,
      });
      const n = 2_000;
      const { versions, statuses } = await sample(c.routerUrl, n);
      expect(statuses[200]).toBe(n);
      const share = ((versions["2.0"] ?? 0) / n) * 100;
      expect(Math.abs(share - weight)).toBeLessThanOrEqual(1);
      await c.api.post("/rollouts/web/promote", {});
    }
    await waitForRollout(c.api, "web", isHealthy, { message: "v2.0 Healthy" });
    const after = await sample(c.routerUrl, 200);
    expect(after.versions).toEqual({ "2.0": 200 });
  });

  it("sends X-Canary: true to the canary and mirrors a share of matching requests to it", async () => {
    const strategy = {
      canary: {
        steps: [
          { setCanaryScale: { replicas: 1 } },
          {
            setHeaderRoute: {
              name: "canary-header",
              match: [{ headerName: "X-Canary", headerValue: { exact: "true" } }],
            },
          },
          { setMirrorRoute: { name: "mirror", percentage: 50, match: [{ path: { prefix: "/api" } }] } },
          { pause: {} },
        ],
        scaleDownDelaySeconds: 1,
      },
    };
    await c.api.post("/apply", { resources: [demoRollout("ab", { VERSION: "1.0" }, strategy)] });
    await waitForRollout(c.api, "ab", isHealthy);
    await c.api.post("/rollouts/ab/set", { env: { VERSION: "2.0" } });
    const paused = await waitForRollout(c.api, "ab", (r) => r.status?.phase === "Paused");
    const canary = paused.status?.revisions.find((r) => r.role === "canary");
    expect(canary?.weight).toBe(0);

    const headers = { host: "ab" };
    const plain = await sample(c.routerUrl, 100, { headers });
    expect(plain.versions).toEqual({ "1.0": 100 });
    const flagged = await sample(c.routerUrl, 100, { headers: { ...headers, "x-canary": "true" } });
    expect(flagged.versions).toEqual({ "2.0": 100 });

    // Mirrored requests are answered by stable; the canary replica counts the copies it was sent.
    const mirrored = await sample(c.routerUrl, 400, { path: "/api/data", headers });
    expect(mirrored.revisions[canary?.hash ?? "?"] ?? 0).toBe(0);
    expect(mirrored.statuses[200]).toBe(400);
    const copies = await waitFor(
      async () => {
        const n = await requestsSeenBy(c.stateDir, "ab", canary?.hash ?? "?", "/api/data");
        return n >= 150 ? n : undefined;
      },
      { timeoutMs: 10_000, message: "mirrored copies at the canary" },
    );
    expect(copies).toBeLessThanOrEqual(250);

    await c.api.post("/rollouts/ab/promote-full", {});
    await waitForRollout(c.api, "ab", isHealthy);
    const done = await sample(c.routerUrl, 50, { headers: { ...headers, "x-canary": "true" } });
    expect(done.versions).toEqual({ "2.0": 50 });
  });

  it("keeps a client with a sticky-session cookie on one revision", async () => {
    const strategy = {
      canary: { steps: [{ setWeight: 50 }, { pause: {} }], stickySession: { cookieName: "sluice-rev" } },
    };
    await c.api.post("/apply", { resources: [demoRollout("sticky", { VERSION: "1.0" }, strategy)] });
    await waitForRollout(c.api, "sticky", isHealthy);
    await c.api.post("/rollouts/sticky/set", { env: { VERSION: "2.0" } });
    await waitForRollout(c.api, "sticky", (r) => r.status?.phase === "Paused" && canaryWeight(r) === 50);

    // fetch() may not set Host; undici's request can, and Host picks the rollout on the router.
    const first = await request(`${c.routerUrl}/version`, { headers: { host: "sticky" } });
    const cookie = String(first.headers["set-cookie"] ?? "").split(";")[0];
    expect(cookie).toMatch(/^sluice-rev=/);
    const firstVersion = ((await first.body.json()) as { version: string }).version;
    const again = await sample(c.routerUrl, 100, { headers: { host: "sticky", cookie: cookie ?? "" } });
    expect(again.versions).toEqual({ [firstVersion]: 100 });
  });
});
