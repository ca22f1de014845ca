import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrafficSpec } from "../../src/engine/types.js";
import { Rollout } from "../../src/model/index.js";
import { LocalPlatform } from "../../src/platform/local/local-platform.js";
import type { RouterBackend } from "../../src/platform/local/router/config.js";
import { waitFor } from "../helpers/wait.js";
import {
  type Backend,
  load,
  type RouterProcess,
  removeDir,
  send,
  startBackend,
  startRouter,
  tally,
} from "../router/harness.js";

// The real router process and the real local platform in front of it; only replica management is
// stood in for (the backends are servers in this process), since the defects live between the two.
let router: RouterProcess;
let routerLog = "";
const backends: Record<string, Backend> = {};
const endpoints = new Map<string, RouterBackend[]>();
let platform: LocalPlatform;
const platformErrors: unknown[] = [];

const rollout = (name: string) =>
  Rollout.parse({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name },
    spec: { template: { process: { command: "app" } }, strategy: { canary: { steps: [] } } },
  });
const web = rollout("web");
const api = rollout("api");

const traffic = (weights: Record<string, number>, headerRoutes: TrafficSpec["headerRoutes"] = []): TrafficSpec => ({
  weights,
  headerRoutes,
  mirrorRoutes: [],
});
const headerRoute = (revision: string, regex: string): TrafficSpec["headerRoutes"] => [
  { name: "beta", revision, match: [{ headerName: "x-user", headerValue: { regex } }] },
];
const setTraffic = (r: Rollout, spec: TrafficSpec) => platform.apply(r, [{ type: "setTraffic", traffic: spec }]);
const serve = (rollout: string, revisions: string[]) =>
  endpoints.set(
    rollout,
    revisions.map((revision) => ({ revision, endpoints: [backends[revision]!.endpoint] })),
  );

beforeAll(async () => {
  router = await startRouter();
  router.child.stderr?.on("data", (chunk) => {
    routerLog += chunk;
  });
  for (const name of ["web-stable", "web-canary", "api-stable", "api-canary"])
    backends[name] = await startBackend(name);
  serve("web", ["web-stable", "web-canary"]);
  serve("api", ["api-stable", "api-canary"]);
  platform = new LocalPlatform({
    supervisor: {
      ensure: () => {},
      remove: async () => {},
      observe: () => [],
      endpoints: (r) => endpoints.get(r) ?? [],
    },
    router: router.client,
    templates: { get: () => undefined, put: () => {} },
    onError: (err) => platformErrors.push(err),
  });
  await setTraffic(web, traffic({ "web-stable": 80, "web-canary": 20 }));
  await setTraffic(api, traffic({ "api-stable": 80, "api-canary": 20 }));
});

afterAll(async () => {
  // A router stuck in a regex never runs its SIGTERM handler: kill it rather than leave it spinning.
  const stuck = setTimeout(() => router?.child.kill("SIGKILL"), 10_000);
  await router?.stop();
  clearTimeout(stuck);
  await Promise.all(Object.values(backends).map((b) => b.close()));
  if (router) removeDir(router.stateDir);
});

describe("a route the router refuses", () => {
  it("blocks no other rollout: an abort of the other really moves its traffic to stable", async () => {
    // api's next step brings a header route the router cannot compile (lint refuses it; this
    // bypasses lint, as a rollout stored by an older Sluice would).
    for (let i = 0; i < 3; i++)
      await setTraffic(api, traffic({ "api-stable": 60, "api-canary": 40 }, headerRoute("api-canary", "(")));

    const refused = (await platform.observe(api)).trafficError;
    expect(refused).toEqual({ message: expect.stringContaining('invalid regex "("'), refused: true });
    // Status can say what is really served: the last accepted split, not the 60/40 asked for.
    expect(refused?.message).toContain("api-stable 80%, api-canary 20%");
    expect((await platform.observe(web)).trafficError).toBeUndefined();
    expect(await router.client.refused()).toEqual([
      { rollout: "api", path: "traffic.headerRoutes[0].match[0].headerValue.regex", message: expect.any(String) },
    ]);

    // web is aborted: all its traffic goes back to stable at once.
    await setTraffic(web, traffic({ "web-stable": 100, "web-canary": 0 }));
    expect(tally(await load(router.url, 40, { headers: { host: "web" } }))).toEqual({ "web-stable": 40 });

    // Then its canary is scaled down: nobody is sent to the replica that is gone.
    serve("web", ["web-stable"]);
    await platform.sync();
    await backends["web-canary"]!.close();
    const afterScaleDown = await load(router.url, 40, { headers: { host: "web" } });
    expect(afterScaleDown.map((a) => a.status)).toEqual(Array(40).fill(200));
    expect(tally(afterScaleDown)).toEqual({ "web-stable": 40 });

    // api keeps serving its last accepted route, split as before; no request of it fails.
    const apiAnswers = await load(router.url, 60, { headers: { host: "api" } });
    expect(apiAnswers.every((a) => a.status === 200)).toBe(true);
    expect(Object.keys(tally(apiAnswers)).sort()).toEqual(["api-canary", "api-stable"]);
    expect((await send(router.url, { headers: { host: "api", "x-user": "(" } })).status).toBe(200);

    // Sent five times, the refusal was logged once by the router and reported once by the platform.
    await waitFor(() => routerLog.includes("route refused"), { message: "router log line" });
    expect(routerLog.split("route refused").length - 1).toBe(1);
    expect(platformErrors.map(String).filter((e) => e.includes("RouteRefusedError"))).toHaveLength(1);

    // The spec is fixed: the router takes api's route and the error clears.
    await setTraffic(api, traffic({ "api-stable": 100, "api-canary": 0 }));
    expect((await platform.observe(api)).trafficError).toBeUndefined();
    expect(tally(await load(router.url, 20, { headers: { host: "api" } }))).toEqual({ "api-stable": 20 });
  });
});

describe("a header route that would backtrack catastrophically", () => {
  it("answers a hostile header at once while every other request keeps flowing", async () => {
    await setTraffic(api, traffic({ "api-stable": 100, "api-canary": 0 }, headerRoute("api-canary", "(a+)+")));
    expect((await platform.observe(api)).trafficError).toBeUndefined();
    expect((await send(router.url, { headers: { host: "api", "x-user": "aaaa" } })).body).toBe("api-canary");

    const timed = async (headers: Record<string, string>) => {
      const started = performance.now();
      const answer = await send(router.url, { headers });
      return { answer, ms: performance.now() - started };
    };
    // A backtracking engine spends about 2^31 steps on the first value (10.9 s measured before RE2).
    const hostile = ["a".repeat(31), "a".repeat(40), "a".repeat(10_000)].map((a) =>
      timed({ host: "api", "x-user": `${a}!` }),
    );
    const others = Array.from({ length: 20 }, () => timed({ host: "web" }));
    const [hostileAnswers, otherAnswers] = await Promise.all([Promise.all(hostile), Promise.all(others)]);

    for (const { answer, ms } of hostileAnswers) {
      expect(answer).toMatchObject({ status: 200, body: "api-stable" });
      expect(ms).toBeLessThan(2_000);
    }
    for (const { answer, ms } of otherAnswers) {
      expect(answer).toMatchObject({ status: 200, body: "web-stable" });
      expect(ms).toBeLessThan(2_000);
    }
  });
});
