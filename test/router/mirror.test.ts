import type { IncomingMessage } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../helpers/wait.js";
import {
  type Backend,
  config,
  load,
  type RouterProcess,
  removeDir,
  route,
  send,
  startBackend,
  startRouter,
} from "./harness.js";

let router: RouterProcess;
let stable: Backend;
let mirror: Backend;
let generation = 0;
const mirrorBodies: string[] = [];
let mirrorDelayMs = 0;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (s += c));
    req.on("end", () => resolve(s));
  });
}

beforeAll(async () => {
  [router, stable, mirror] = await Promise.all([
    startRouter(),
    startBackend("stable", (req, res) => {
      void readBody(req).then((body) => res.end(`stable:${body.length}`));
    }),
    startBackend("mirror", (req, res) => {
      void readBody(req).then((body) => {
        mirrorBodies.push(body);
        setTimeout(() => res.end("mirror"), mirrorDelayMs);
      });
    }),
  ]);
});

afterAll(async () => {
  await router?.stop();
  await Promise.all([stable?.close(), mirror?.close()]);
  if (router) removeDir(router.stateDir);
});

function mirrored(percentage: number, match = [] as { method?: { exact: string } }[]) {
  return config(
    ++generation,
    route(
      "shop",
      { stable: [stable.endpoint], mirror: [mirror.endpoint] },
      { stable: 100, mirror: 0 },
      {
        traffic: {
          weights: { stable: 100, mirror: 0 },
          headerRoutes: [],
          mirrorRoutes: [{ name: "shadow", revision: "mirror", match, percentage }],
        },
      },
    ),
  );
}

describe("router mirroring", () => {
  it("copies the configured percentage without delaying the real response", async () => {
    mirrorDelayMs = 1_500;
    const before = mirror.mirrored;
    await router.client.putConfig(mirrored(30));
    const started = Date.now();
    const answers = await load(router.url, 100, { concurrency: 10 });
    const elapsed = Date.now() - started;
    expect(answers.every((a) => a.status === 200 && a.body === "stable:0")).toBe(true);
    // 100 requests 10 at a time; had any waited for the 1.5 s mirror, this would take over 1.5 s.
    expect(elapsed).toBeLessThan(1_500);
    await waitFor(() => mirror.mirrored - before === 30, { timeoutMs: 10_000, message: "30 mirrored requests" });
    expect(mirror.requests.filter((r) => !r.headers["x-sluice-mirror"])).toHaveLength(0);
  });

  it("mirrors request bodies, and only requests that match", async () => {
    mirrorDelayMs = 0;
    mirrorBodies.length = 0;
    const before = mirror.mirrored;
    await router.client.putConfig(mirrored(100, [{ method: { exact: "POST" } }]));
    for (let i = 0; i < 5; i++) {
      const a = await send(router.url, { method: "POST", body: `payload-${i}` });
      expect(a.body).toBe(`stable:${`payload-${i}`.length}`);
    }
    await send(router.url);
    await waitFor(() => mirrorBodies.length === 5, { message: "5 mirrored bodies" });
    expect(mirrorBodies.sort()).toEqual(["payload-0", "payload-1", "payload-2", "payload-3", "payload-4"]);
    expect(mirror.mirrored - before).toBe(5);
  });

  it("does not mirror bodies over 1 MiB but still serves them", async () => {
    mirrorBodies.length = 0;
    await router.client.putConfig(mirrored(100));
    const big = "x".repeat(1024 * 1024 + 10);
    const a = await send(router.url, { method: "POST", body: big });
    expect(a.body).toBe(`stable:${big.length}`);
    await send(router.url, { method: "POST", body: "small" });
    await waitFor(() => mirrorBodies.includes("small"), { message: "small body mirrored" });
    expect(mirrorBodies).toEqual(["small"]);
  });
});
