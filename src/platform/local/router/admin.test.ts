import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAdminServer } from "./admin.js";
import type { RouterConfig } from "./config.js";
import { RouterError } from "./errors.js";
import { Router } from "./router.js";
import { RouterClient } from "./router-client.js";

let dir: string;
let router: Router;
let admin: Server;
let client: RouterClient;
let persisted: number[];

const cfg = (generation: number): RouterConfig => ({
  generation,
  rollouts: [
    {
      rollout: "shop",
      hosts: ["shop"],
      backends: [{ revision: "a", endpoints: ["127.0.0.1:9"] }],
      traffic: { weights: { a: 100 }, headerRoutes: [], mirrorRoutes: [] },
    },
  ],
});

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "sluice-admin-"));
  router = new Router();
  persisted = [];
  admin = createAdminServer(router, { persist: (r) => persisted.push(r.config!.generation) });
  const socketPath = path.join(dir, "router.sock");
  await new Promise<void>((resolve) => admin.listen(socketPath, resolve));
  client = new RouterClient(socketPath);
});

afterEach(async () => {
  await client.close();
  await new Promise((resolve) => admin.close(resolve));
  await router.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("admin server with RouterClient", () => {
  it("has no config at first, then serves and persists the one put", async () => {
    expect(await client.healthy()).toBe(true);
    expect(await client.getConfig()).toBeUndefined();
    await client.putConfig(cfg(3));
    expect(await client.getConfig()).toEqual(cfg(3));
    expect(persisted).toEqual([3]);
  });

  it("rejects an older generation with 409 and a bad config with 400", async () => {
    await client.putConfig(cfg(3));
    const stale = await client.putConfig(cfg(2)).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(RouterError);
    expect(stale).toMatchObject({ status: 409 });
    const bad = await client
      .putConfig({ generation: 4, rollouts: [{}] } as unknown as RouterConfig)
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, message: expect.stringContaining("rollouts[0]") });
    expect(persisted).toEqual([3]);
    expect((await client.getConfig())?.generation).toBe(3);
  });

  it("applies the other rollouts and reports a refused one in the answer and in GET /status", async () => {
    const two = (generation: number, regex: string): RouterConfig => {
      const c = cfg(generation);
      c.rollouts[0]!.traffic.headerRoutes = [
        { name: "h", revision: "a", match: [{ headerName: "x-user", headerValue: { regex } }] },
      ];
      c.rollouts.push({ ...cfg(generation).rollouts[0]!, rollout: "cart", hosts: ["cart"] });
      return c;
    };
    const answer = await client.putConfig(two(1, "("));
    expect(answer.refused).toEqual([
      {
        rollout: "shop",
        path: "traffic.headerRoutes[0].match[0].headerValue.regex",
        message: expect.stringContaining('invalid regex "("'),
      },
    ]);
    expect((await client.getConfig())?.rollouts.map((r) => r.rollout)).toEqual(["cart"]);
    expect(await client.refused()).toEqual(answer.refused);
    expect(persisted).toEqual([1]);

    expect((await client.putConfig(two(2, "alice|bob"))).refused).toEqual([]);
    expect(await client.refused()).toEqual([]);
  });

  it("returns telemetry with NaN where there were no requests", async () => {
    await client.putConfig(cfg(1));
    router.telemetry.record(router.telemetry.series("shop", "a"), 0, 3);
    const [a] = await client.getTelemetry("shop", 30);
    expect(a).toMatchObject({ revision: "a", requests: 1, windowSeconds: 30, successRate: 1 });
    // A revision with a series but nothing recorded reports NaN, not null.
    router.telemetry.series("cart", "b");
    const [idle] = await client.getTelemetry("cart", 60);
    expect(idle!.successRate).toBeNaN();
    expect(idle!.p50).toBeNaN();
  });

  it("answers inflight, metrics and unknown paths", async () => {
    await client.putConfig(cfg(1));
    expect(await client.inflight("127.0.0.1:9")).toBe(0);
    expect(await client.metrics()).toContain("sluice_router_config_generation 1");
    const res = await fetchOverSocket(path.join(dir, "router.sock"), "/nope");
    expect(res.status).toBe(404);
  });
});

async function fetchOverSocket(socketPath: string, urlPath: string): Promise<{ status: number }> {
  const { request } = await import("node:http");
  return new Promise((resolve, reject) => {
    request({ socketPath, path: urlPath }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    })
      .on("error", reject)
      .end();
  });
}
