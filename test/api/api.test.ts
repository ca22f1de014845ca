import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApi } from "../../src/api/app.js";
import { type ServedApi, serveApi } from "../../src/api/serve.js";
import { type SseMessage, SseParser } from "../../src/api/sse.js";
import { FakeControlPlane, rolloutManifest } from "../../src/api/testing.js";
import { waitFor } from "../helpers/wait.js";

const TOKEN = "c".repeat(64);
let control: FakeControlPlane;
let served: ServedApi;

beforeEach(async () => {
  control = new FakeControlPlane();
  served = await serveApi(createApi({ control, token: TOKEN, version: "test", metrics: async () => "up 1\n" }));
});
afterEach(async () => {
  await served.close();
});

const auth = (token = TOKEN) => ({ authorization: `Bearer ${token}` });
const applyBody = JSON.stringify({ resources: [rolloutManifest("web")] });

describe("the API served on node:http", () => {
  it("listens on 127.0.0.1 with an ephemeral port", () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(served.url).not.toMatch(/:0$/);
  });

  it("answers 401 without a token, 401 with a wrong one (changing nothing), 200 with the right one", async () => {
    expect((await fetch(`${served.url}/api/v1/rollouts`)).status).toBe(401);
    const wrong = await fetch(`${served.url}/api/v1/apply`, {
      method: "POST",
      headers: { ...auth("d".repeat(64)), "content-type": "application/json" },
      body: applyBody,
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: { code: "Unauthorized", message: expect.any(String) } });
    const wrongDelete = await fetch(`${served.url}/api/v1/rollouts/web`, { method: "DELETE", headers: auth("nope") });
    expect(wrongDelete.status).toBe(401);
    expect(control.mutations).toBe(0);
    expect(control.resources.size).toBe(0);

    const right = await fetch(`${served.url}/api/v1/apply`, {
      method: "POST",
      headers: { ...auth(), "content-type": "application/json" },
      body: applyBody,
    });
    expect(right.status).toBe(200);
    expect(control.resources.size).toBe(1);
    expect((await fetch(`${served.url}/api/v1/rollouts`, { headers: auth() })).status).toBe(200);
  });

  it("serves probes and metrics without a token", async () => {
    expect(await (await fetch(`${served.url}/healthz`)).text()).toBe("ok");
    expect((await fetch(`${served.url}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${served.url}/metrics`)).text()).toBe("up 1\n");
  });

  it("answers errors in the stable JSON shape", async () => {
    const missing = await fetch(`${served.url}/api/v1/rollouts/ghost`, { headers: auth() });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await missing.json()).toEqual({ error: { code: "NotFound", message: 'Rollout "ghost" not found' } });

    const invalid = await fetch(`${served.url}/api/v1/apply`, {
      method: "POST",
      headers: { ...auth(), "content-type": "application/json" },
      body: JSON.stringify({ resources: [{ ...rolloutManifest("web"), metadata: { name: "Not_Valid" } }] }),
    });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { code: "Invalid", path: "metadata.name" } });
  });

  it("delivers a change over Server-Sent Events within a deadline", async () => {
    const abort = new AbortController();
    const res = await fetch(`${served.url}/api/v1/watch?name=web`, { headers: auth(), signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const parser = new SseParser();
    const messages: SseMessage[] = [];
    let raw = "";
    const pump = (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          const text = decoder.decode(chunk, { stream: true });
          raw += text;
          messages.push(...parser.push(text));
        }
      } catch {
        // Aborted at the end of the test.
      }
    })();
    await waitFor(() => raw.startsWith(": connected"), { timeoutMs: 5000, message: "watch to connect" });

    await fetch(`${served.url}/api/v1/apply`, {
      method: "POST",
      headers: { ...auth(), "content-type": "application/json" },
      body: applyBody,
    });
    const deleted = await fetch(`${served.url}/api/v1/rollouts/web`, { method: "DELETE", headers: auth() });
    expect(deleted.status).toBe(200);
    const got = await waitFor(() => messages.find((m) => m.event === "deleted"), {
      timeoutMs: 5000,
      message: "the deleted notice",
    });
    expect(JSON.parse(got.data)).toEqual({ type: "deleted", kind: "Rollout", name: "web" });

    abort.abort();
    await pump;
    await waitFor(() => control.watchers === 0, { timeoutMs: 5000, message: "the server to unsubscribe the watcher" });
  });

  it("closes even while a watch stream is open", async () => {
    const res = await fetch(`${served.url}/api/v1/watch`, { headers: auth() });
    expect(res.status).toBe(200);
    await waitFor(() => control.watchers === 1, { timeoutMs: 5000, message: "the watch to subscribe" });
    const started = Date.now();
    await served.close();
    expect(Date.now() - started).toBeLessThan(2000);
    await waitFor(() => control.watchers === 0, { timeoutMs: 5000, message: "the closed stream to unsubscribe" });
    // afterEach closes again: a second close must be harmless.
    await expect(served.close()).resolves.toBeUndefined();
  });
});
