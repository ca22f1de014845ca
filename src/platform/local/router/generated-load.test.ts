import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { loadHeaderValue } from "../../../load/label.js";
import { renderMetrics } from "./prometheus.js";
import { Router } from "./router.js";

const SECRET = "f".repeat(64);
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** A replica answering `status`, remembering the headers it was sent. */
async function replica(status: number): Promise<{ endpoint: string; seen: IncomingHttpHeaders[] }> {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.headers);
    res.statusCode = status;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return { endpoint: `127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

async function routerFor(stable: string, canary: string): Promise<{ router: Router; url: string }> {
  const router = new Router({ closeGraceMs: 100, loadSecret: SECRET });
  closers.push(() => router.close());
  await router.apply({
    generation: 1,
    rollouts: [
      {
        rollout: "shop",
        hosts: [],
        default: true,
        backends: [
          { revision: "stable", endpoints: [stable] },
          { revision: "canary", endpoints: [canary] },
        ],
        traffic: { weights: { stable: 100, canary: 0 }, headerRoutes: [], mirrorRoutes: [] },
      },
    ],
  });
  return { router, url: await router.listen("127.0.0.1:0") };
}

describe("generated load at the router", () => {
  it("sends labelled requests to the named revision and counts them apart from users'", async () => {
    const stable = await replica(200);
    const canary = await replica(500);
    const { router, url } = await routerFor(stable.endpoint, canary.endpoint);
    const base = url.startsWith("http") ? url : `http://${url}`;
    for (let i = 0; i < 3; i++)
      await (await request(base, { headers: { "x-sluice-load": loadHeaderValue(SECRET, "canary") } })).body.dump();
    await (await request(base)).body.dump();

    // The canary got the generated requests, with the label but without the secret.
    expect(canary.seen).toHaveLength(3);
    expect(canary.seen[0]?.["x-sluice-load"]).toBe("1");
    expect(stable.seen).toHaveLength(1);

    const by = (traffic: "user" | "generated" | "all") =>
      Object.fromEntries(router.telemetry.summary("shop", 60, traffic).map((t) => [t.revision, t.requests]));
    expect(by("generated")).toEqual({ canary: 3, stable: 0 });
    expect(by("user")).toEqual({ canary: 0, stable: 1 });
    expect(by("all")).toEqual({ canary: 3, stable: 1 });
    expect(router.telemetry.summary("shop", 60, "all").find((t) => t.revision === "canary")?.errorRate).toBe(1);
    expect(renderMetrics(router.telemetry.all(), { generation: 1, inflight: 0 })).toContain(
      'sluice_router_requests_total{rollout="shop",revision="canary",traffic="generated",code="5xx"} 3',
    );
  });

  it("counts a label without the secret as a user's request, routed as users' are", async () => {
    const stable = await replica(500);
    const canary = await replica(200);
    const { router, url } = await routerFor(stable.endpoint, canary.endpoint);
    const base = url.startsWith("http") ? url : `http://${url}`;
    for (const label of ["1", `${"0".repeat(64)} canary`, "canary"])
      await (await request(base, { headers: { "x-sluice-load": label } })).body.dump();
    expect(canary.seen).toHaveLength(0);
    const user = router.telemetry.summary("shop", 60, "user").find((t) => t.revision === "stable");
    expect(user?.requests).toBe(3);
    expect(user?.errorRate).toBe(1);
  });
});

describe("generated load in /metrics", () => {
  it("has no lines for a revision that never got generated load", async () => {
    const stable = await replica(200);
    const canary = await replica(200);
    const { router } = await routerFor(stable.endpoint, canary.endpoint);
    expect(renderMetrics(router.telemetry.all(), { generation: 1, inflight: 0 })).not.toContain("traffic=");
  });
});
