import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../test/helpers/wait.js";
import { startScriptedServer, startServer, type TestServer } from "../../test/providers/servers.js";
import { Webhook } from "../model/index.js";
import { postWebhook, resolveWebhookUrl, type UrlSources } from "./webhook.js";

const env: Record<string, string> = {
  HOOK: "https://hooks.example.test/T000/B000/secret",
  BAD: "not a url",
  FTP: "ftp://x",
};
const secrets: Record<string, Record<string, string>> = { hooks: { slack: "http://127.0.0.1:9/s\n" } };
const sources: UrlSources = {
  readEnv: (n) => env[n],
  loadSecret: async (name) => {
    if (name === "forbidden") throw new Error('secrets "forbidden" is forbidden\nBody: {...}');
    return secrets[name];
  },
};

describe("resolveWebhookUrl", () => {
  it.each([
    [{ url: "http://127.0.0.1:9/x" }, { url: "http://127.0.0.1:9/x" }],
    [{ urlFrom: { env: "HOOK" } }, { url: env.HOOK }],
    [{ urlFrom: { secretKeyRef: { name: "hooks", key: "slack" } } }, { url: "http://127.0.0.1:9/s" }],
    [{ urlFrom: { env: "NOPE" } }, { problem: "environment variable NOPE is not set" }],
    [{ urlFrom: { env: "BAD" } }, { problem: "environment variable BAD does not hold a URL" }],
    [{ urlFrom: { env: "FTP" } }, { problem: "environment variable FTP holds a ftp URL; only http and https work" }],
    [
      { urlFrom: { secretKeyRef: { name: "hooks", key: "teams" } } },
      { problem: 'key "teams" of Secret "hooks" is not set' },
    ],
    [{ urlFrom: { secretKeyRef: { name: "gone", key: "k" } } }, { problem: 'Secret "gone" does not exist' }],
    [
      { urlFrom: { secretKeyRef: { name: "forbidden", key: "k" } } },
      { problem: 'key "k" of Secret "forbidden" cannot be read (secrets "forbidden" is forbidden)' },
    ],
  ])("%j resolves to %j", async (webhook, expected) => {
    expect(await resolveWebhookUrl(Webhook.parse(webhook), sources)).toEqual(expected);
  });

  it("cannot read a Secret where there are none (local platform)", async () => {
    const webhook = Webhook.parse({ urlFrom: { secretKeyRef: { name: "hooks", key: "slack" } } });
    expect(await resolveWebhookUrl(webhook, { readEnv: () => undefined })).toEqual({
      problem: 'key "slack" of Secret "hooks" cannot be read: Secrets exist only on Kubernetes',
    });
  });
});

describe("postWebhook", () => {
  let hook: TestServer | undefined;
  afterEach(async () => {
    await hook?.close();
    hook = undefined;
  });
  const post = (url: string, extra: Partial<Parameters<typeof postWebhook>[0]> = {}) =>
    postWebhook({
      url: `${url}/hook`,
      headers: [],
      body: '{"reason":"RolloutAborted"}',
      timeoutMs: 2_000,
      retryDelayMs: 200,
      ...extra,
    });

  it("POSTs the body as JSON with the configured headers, which may override the content type", async () => {
    hook = await startScriptedServer();
    const headers = [
      { name: "Authorization", value: "Bearer t0ken" },
      { name: "Content-Type", value: "application/vnd.ops+json" },
    ];
    expect(await post(hook.url, { headers })).toEqual({ ok: true, attempts: 1 });
    expect(hook.requests).toHaveLength(1);
    const [req] = hook.requests;
    expect(req?.method).toBe("POST");
    expect(req?.url).toBe("/hook");
    expect(req?.body).toBe('{"reason":"RolloutAborted"}');
    expect(req?.headers.authorization).toBe("Bearer t0ken");
    expect(req?.headers["content-type"]).toBe("application/vnd.ops+json");
  });

  it("retries a 5xx once, after the retry delay", async () => {
    const at: number[] = [];
    hook = await startServer((_req, res) => {
      at.push(Date.now());
      res.writeHead(at.length === 1 ? 503 : 200).end();
    });
    expect(await post(hook.url)).toEqual({ ok: true, attempts: 2 });
    expect(at).toHaveLength(2);
    expect((at[1] ?? 0) - (at[0] ?? 0)).toBeGreaterThanOrEqual(180);
  });

  it("gives up after the retry, saying what the webhook answered", async () => {
    hook = await startScriptedServer(() => 500);
    expect(await post(hook.url)).toEqual({
      ok: false,
      attempts: 2,
      problem: "answered HTTP 500 (boom), also on the retry",
    });
    expect(hook.requests).toHaveLength(2);
  });

  it("does not retry a 4xx: the request itself is wrong", async () => {
    hook = await startScriptedServer(() => 404);
    expect(await post(hook.url)).toEqual({ ok: false, attempts: 1, problem: "answered HTTP 404 (boom)" });
    expect(hook.requests).toHaveLength(1);
  });

  it("retries a webhook that does not answer in time, then reports the timeout", async () => {
    hook = await startScriptedServer(() => "hang");
    const started = Date.now();
    const outcome = await post(hook.url, { timeoutMs: 300, retryDelayMs: 50 });
    expect(outcome).toEqual({ ok: false, attempts: 2, problem: "timed out after 0.3s, also on the retry" });
    expect(hook.requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("reports a refused connection", async () => {
    hook = await startScriptedServer();
    const url = hook.url;
    await hook.close();
    hook = undefined;
    const outcome = await post(url, { retryDelayMs: 10 });
    expect(outcome).toEqual({ ok: false, attempts: 2, problem: "refused the connection, also on the retry" });
  });

  it("gives up at once, without the retry, when stopped", async () => {
    hook = await startScriptedServer(() => 502);
    const stop = new AbortController();
    const started = Date.now();
    const pending = post(hook.url, { retryDelayMs: 10_000, signal: stop.signal });
    const seen = hook;
    await waitFor(() => seen.requests.length > 0, { intervalMs: 5, message: "the first POST" });
    stop.abort();
    expect(await pending).toEqual({ ok: false, attempts: 1, problem: "was not delivered: the notifier stopped" });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(hook.requests).toHaveLength(1);
  });
});
