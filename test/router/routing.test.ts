import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RouterError } from "../../src/platform/local/router/errors.js";
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
  tally,
} from "./harness.js";

let router: RouterProcess;
let stable: Backend;
let canary: Backend;
let other: Backend;
let generation = 0;

beforeAll(async () => {
  [router, stable, canary, other] = await Promise.all([
    startRouter(),
    startBackend("stable"),
    startBackend("canary"),
    startBackend("other"),
  ]);
});

afterAll(async () => {
  await router?.stop();
  await Promise.all([stable?.close(), canary?.close(), other?.close()]);
  if (router) removeDir(router.stateDir);
});

const revisions = () => ({ stable: [stable.endpoint], canary: [canary.endpoint] });

describe("router routing", () => {
  it("answers 503 before it has any configuration", async () => {
    const a = await send(router.url);
    expect(a.status).toBe(503);
    expect(JSON.parse(a.body).error).toMatch(/no configuration/);
  });

  it("splits 10,000 requests 20/80 to within 1%", async () => {
    await router.client.putConfig(config(++generation, route("shop", revisions(), { stable: 80, canary: 20 })));
    const answers = await load(router.url, 10_000, { concurrency: 32 });
    const counts = tally(answers);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(Math.abs((counts.canary ?? 0) - 2000)).toBeLessThanOrEqual(100);
    expect(Math.abs((counts.stable ?? 0) - 8000)).toBeLessThanOrEqual(100);
    expect(answers.every((a) => a.revision === a.body)).toBe(true);
  });

  it("sends X-Canary: true to the canary whatever the weights", async () => {
    await router.client.putConfig(
      config(
        ++generation,
        route(
          "shop",
          revisions(),
          { stable: 100, canary: 0 },
          {
            traffic: {
              weights: { stable: 100, canary: 0 },
              headerRoutes: [
                {
                  name: "canary-header",
                  revision: "canary",
                  match: [{ headerName: "X-Canary", headerValue: { exact: "true" } }],
                },
              ],
              mirrorRoutes: [],
            },
          },
        ),
      ),
    );
    expect(tally(await load(router.url, 50, { headers: { "x-canary": "true" } }))).toEqual({ canary: 50 });
    expect(tally(await load(router.url, 50))).toEqual({ stable: 50 });
    expect(tally(await load(router.url, 10, { headers: { "x-canary": "false" } }))).toEqual({ stable: 10 });
  });

  it("routes on a cookie match", async () => {
    await router.client.putConfig(
      config(
        ++generation,
        route(
          "shop",
          revisions(),
          { stable: 100 },
          {
            traffic: {
              weights: { stable: 100 },
              headerRoutes: [
                { name: "beta", revision: "canary", match: [{ cookieName: "beta", cookieValue: { exact: "1" } }] },
              ],
              mirrorRoutes: [],
            },
          },
        ),
      ),
    );
    expect((await send(router.url, { headers: { cookie: "session=x; beta=1" } })).body).toBe("canary");
    expect((await send(router.url, { headers: { cookie: "session=x; beta=0" } })).body).toBe("stable");
  });

  it("keeps a client on its revision with a sticky session", async () => {
    const sticky = { cookieName: "sluice-shop", maxAgeSeconds: 300 };
    await router.client.putConfig(
      config(
        ++generation,
        route(
          "shop",
          revisions(),
          { stable: 50, canary: 50 },
          {
            traffic: { weights: { stable: 50, canary: 50 }, headerRoutes: [], mirrorRoutes: [], stickySession: sticky },
          },
        ),
      ),
    );
    const first = await send(router.url);
    const setCookie = String(first.headers["set-cookie"]);
    expect(setCookie).toContain(`sluice-shop=${first.body}`);
    expect(setCookie).toContain("Max-Age=300");
    const cookie = setCookie.split(";")[0]!;
    const again = await load(router.url, 40, { headers: { cookie } });
    expect(tally(again)).toEqual({ [first.body]: 40 });
    expect(again.every((a) => a.headers["set-cookie"] === undefined)).toBe(true);
    // Without the cookie the 50/50 split applies again.
    expect(Object.keys(tally(await load(router.url, 20))).sort()).toEqual(["canary", "stable"]);
  });

  it("re-assigns a sticky client whose revision lost its weight", async () => {
    const sticky = { cookieName: "sluice-shop", maxAgeSeconds: 300 };
    await router.client.putConfig(
      config(
        ++generation,
        route(
          "shop",
          revisions(),
          { stable: 100, canary: 0 },
          {
            traffic: { weights: { stable: 100, canary: 0 }, headerRoutes: [], mirrorRoutes: [], stickySession: sticky },
          },
        ),
      ),
    );
    const a = await send(router.url, { headers: { cookie: "sluice-shop=canary" } });
    expect(a.body).toBe("stable");
    expect(String(a.headers["set-cookie"])).toContain("sluice-shop=stable");
  });

  it("chooses the rollout by Host header, else the default route, else 404", async () => {
    await router.client.putConfig(
      config(
        ++generation,
        route("shop", { stable: [stable.endpoint] }, { stable: 100 }, { hosts: ["shop", "shop.localhost"] }),
        route("cart", { other: [other.endpoint] }, { other: 100 }, { hosts: ["cart.localhost"] }),
      ),
    );
    expect((await send(router.url, { headers: { host: "cart.localhost:8080" } })).body).toBe("other");
    expect((await send(router.url, { headers: { host: "SHOP.localhost" } })).body).toBe("stable");
    const unknown = await send(router.url, { headers: { host: "nobody.example" } });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error).toMatch(/nobody\.example/);

    await router.client.putConfig(
      config(
        ++generation,
        route("shop", { stable: [stable.endpoint] }, { stable: 100 }),
        route("cart", { other: [other.endpoint] }, { other: 100 }, { default: true }),
      ),
    );
    expect((await send(router.url, { headers: { host: "nobody.example" } })).body).toBe("other");
  });

  it("answers 503 JSON for a revision without endpoints", async () => {
    await router.client.putConfig(config(++generation, route("shop", { stable: [] }, { stable: 100 })));
    const a = await send(router.url);
    expect(a.status).toBe(503);
    expect(a.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(a.body)).toMatchObject({ revision: "stable" });
  });

  it("serves the preview revision on the preview listener and closes it when removed", async () => {
    const previewPort = await freePort();
    const previewListen = `127.0.0.1:${previewPort}`;
    await router.client.putConfig(
      config(
        ++generation,
        route(
          "shop",
          revisions(),
          { stable: 100, canary: 0 },
          {
            previewListen,
            traffic: { weights: { stable: 100, canary: 0 }, headerRoutes: [], mirrorRoutes: [], preview: "canary" },
          },
        ),
      ),
    );
    expect(tally(await load(`http://${previewListen}`, 20))).toEqual({ canary: 20 });
    expect(tally(await load(router.url, 20))).toEqual({ stable: 20 });

    await router.client.putConfig(config(++generation, route("shop", revisions(), { stable: 100 })));
    await expect(send(`http://${previewListen}`)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("rejects an older generation with 409 and keeps serving the newer config", async () => {
    await router.client.putConfig(config(++generation, route("shop", revisions(), { stable: 0, canary: 100 })));
    const stale = router.client.putConfig(config(generation - 1, route("shop", revisions(), { stable: 100 })));
    await expect(stale).rejects.toBeInstanceOf(RouterError);
    await expect(stale).rejects.toMatchObject({ status: 409 });
    expect((await router.client.getConfig())?.generation).toBe(generation);
    expect(tally(await load(router.url, 10))).toEqual({ canary: 10 });
    // The same generation again is accepted: a controller may resend after a timeout.
    await router.client.putConfig(config(generation, route("shop", revisions(), { stable: 0, canary: 100 })));
  });

  it("refuses a rollout with an invalid field, naming the path, and keeps serving its last route", async () => {
    const before = await router.client.getConfig();
    const bad = config(++generation, route("shop", { stable: ["not-an-endpoint"] }, { stable: 100 }));
    const answer = await router.client.putConfig(bad);
    expect(answer.refused).toEqual([
      { rollout: "shop", path: "backends[0].endpoints[0]", message: expect.stringContaining("HOST:PORT") },
    ]);
    expect((await router.client.getConfig())?.rollouts).toEqual(before?.rollouts);
    expect(tally(await load(router.url, 10))).toEqual({ canary: 10 });
    // A config whose frame is wrong is still refused whole.
    await expect(router.client.putConfig({ generation: ++generation, rollouts: [{}] } as never)).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/rollouts\[0\]/),
    });
  });

  it("counts in-flight requests per endpoint and lets a removed endpoint finish them", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow = await startBackend("slow", (req, res) => {
      req.resume();
      void held.then(() => res.end("slow"));
    });
    try {
      await router.client.putConfig(config(++generation, route("shop", { slow: [slow.endpoint] }, { slow: 100 })));
      const pending = send(router.url);
      await waitFor(async () => (await router.client.inflight(slow.endpoint)) === 1, { message: "request in flight" });
      // The endpoint leaves the config (replica draining): the request in flight still finishes.
      await router.client.putConfig(config(++generation, route("shop", revisions(), { stable: 100 })));
      expect(await router.client.inflight(slow.endpoint)).toBe(1);
      release();
      expect((await pending).body).toBe("slow");
      await waitFor(async () => (await router.client.inflight(slow.endpoint)) === 0, { message: "drained" });
    } finally {
      release();
      await slow.close();
    }
  });
});

async function freePort(): Promise<number> {
  const b = await startBackend("probe");
  const port = Number(b.endpoint.split(":")[1]);
  await b.close();
  return port;
}
