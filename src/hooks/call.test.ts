import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommandMetricProvider } from "../analysis/providers/command.js";
import { RolloutHook } from "../model/index.js";
import { backoffMs, callHook, scrub } from "./call.js";
import type { HookPayload } from "./payload.js";

const payload: HookPayload = {
  name: "web",
  namespace: "default",
  type: "pre-rollout",
  hook: "h",
  phase: "Progressing",
  revision: "abc",
  checksum: "abc",
  weight: 0,
  metadata: { team: "shop" },
};

let server: Server;
let base = "";
const seen: { path: string; body: unknown; auth?: string }[] = [];
const answers: Record<string, number[]> = {};

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      const path = req.url ?? "";
      seen.push({
        path,
        body: JSON.parse(body || "null"),
        ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
      });
      if (path === "/slow") return; // never answers
      const status = answers[path]?.shift() ?? 200;
      res.writeHead(status).end(status >= 300 ? "not yet" : "ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const noSleep = async () => {};
const deps = {
  readEnv: (n: string) =>
    n === "HOOK_URL" ? `${base}/secret-path-token` : n === "TOKEN" ? "Bearer s3cret" : undefined,
  providers: { command: new CommandMetricProvider() },
  sleep: noSleep,
};

describe("callHook", () => {
  it("POSTs the payload; a 2xx is a success", async () => {
    const hook = RolloutHook.parse({ name: "h", type: "pre-rollout", webhook: { url: `${base}/ok` } });
    expect(await callHook(hook, payload, deps)).toEqual({ ok: true, message: "HTTP 200", tries: 1 });
    expect(seen.find((s) => s.path === "/ok")?.body).toEqual(payload);
  });

  it("retries a failure with backoff and succeeds on a later try", async () => {
    answers["/flaky"] = [503, 500];
    const hook = RolloutHook.parse({ name: "h", type: "pre-rollout", webhook: { url: `${base}/flaky` }, retries: 2 });
    const slept: number[] = [];
    const result = await callHook(hook, payload, { ...deps, sleep: async (ms) => void slept.push(ms) });
    expect(result).toEqual({ ok: true, message: "HTTP 200", tries: 3 });
    expect(slept).toEqual([1000, 2000]);
  });

  it("a failure after every try says so", async () => {
    answers["/no"] = [403, 403];
    const hook = RolloutHook.parse({
      name: "h",
      type: "confirm-promotion",
      webhook: { url: `${base}/no` },
      retries: 1,
    });
    expect(await callHook(hook, payload, deps)).toEqual({
      ok: false,
      message: "answered HTTP 403 (not yet) (after 2 tries)",
      tries: 2,
    });
  });

  it("times out after timeoutSeconds", async () => {
    const hook = RolloutHook.parse({
      name: "h",
      type: "rollout",
      webhook: { url: `${base}/slow` },
      timeoutSeconds: 0.3,
    });
    const started = Date.now();
    const result = await callHook(hook, payload, deps);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("reads the URL and a header from the environment and never puts them in the answer", async () => {
    answers["/secret-path-token"] = [500];
    const hook = RolloutHook.parse({
      name: "h",
      type: "rollout",
      webhook: { urlFrom: { env: "HOOK_URL" }, headers: [{ name: "Authorization", valueFrom: { env: "TOKEN" } }] },
    });
    const result = await callHook(hook, payload, deps);
    expect(seen.find((s) => s.path === "/secret-path-token")?.auth).toBe("Bearer s3cret");
    expect(result.message).not.toContain("secret-path-token");
    const missing = RolloutHook.parse({ name: "h", type: "rollout", webhook: { urlFrom: { env: "NOPE" } } });
    expect((await callHook(missing, payload, deps)).message).toBe("environment variable NOPE is not set");
  });

  it("runs a command hook with the payload in SLUICE_HOOK_PAYLOAD; exit 0 is a success", async () => {
    const ok = RolloutHook.parse({
      name: "h",
      type: "pre-rollout",
      command: {
        command: [
          process.execPath,
          "-e",
          "process.exit(JSON.parse(process.env.SLUICE_HOOK_PAYLOAD).metadata.team === 'shop' ? 0 : 1)",
        ],
      },
    });
    expect(await callHook(ok, payload, deps)).toMatchObject({ ok: true, message: "exited 0" });
    const bad = RolloutHook.parse({
      name: "h",
      type: "pre-rollout",
      command: { command: [process.execPath, "-e", "process.exit(3)"] },
    });
    expect((await callHook(bad, payload, deps)).ok).toBe(false);
  });

  it("backoff doubles and is capped; scrub hides secrets", () => {
    expect([1, 2, 3].map((n) => backoffMs({ retryBackoffSeconds: 2 }, n))).toEqual([2000, 4000, 8000]);
    expect(backoffMs({ retryBackoffSeconds: 600 }, 10)).toBe(300_000);
    expect(scrub("refused http://x/tok3n", ["http://x/tok3n"])).toBe("refused ***");
  });
});
