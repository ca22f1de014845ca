import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rollout } from "../../src/model/index.js";
import type { EventRecord } from "../../src/ports/control-plane.js";
import { runSluice } from "../helpers/cli.js";
import type { ControllerProcess } from "../helpers/controller.js";
import { demoRollout, isHealthy, waitForRollout } from "../helpers/rollouts.js";
import { teardownAfterEach } from "../helpers/teardown.js";
import { waitFor } from "../helpers/wait.js";

// A real hook service on 127.0.0.1: each path answers its own way, and every call is recorded.
let server: Server;
let base = "";
const calls: { path: string; body: Record<string, unknown> }[] = [];
const failFirst: Record<string, number> = { "/flaky": 1 };

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = "";
    req.on("data", (c) => {
      text += c;
    });
    req.on("end", () => {
      const path = req.url ?? "";
      calls.push({ path, body: JSON.parse(text || "{}") });
      if (path === "/slow") return; // never answers: the hook times out
      if ((failFirst[path] ?? 0) > 0) {
        failFirst[path] = (failFirst[path] ?? 0) - 1;
        res.writeHead(503).end("warming up");
        return;
      }
      res.writeHead(path === "/fail" ? 500 : 200).end(path === "/fail" ? "acceptance failed" : "ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const teardown = teardownAfterEach();
const started = (stateDir?: string) => teardown.controller(stateDir);

/** Deploys v1 with these hooks and steps, waits for it, then rolls out v2. */
async function rollOut(c: ControllerProcess, name: string, hooks: unknown[], steps: unknown[]) {
  const manifest = demoRollout(name, { VERSION: "1.0" }, { canary: { steps, scaleDownDelaySeconds: 0 } }, 1);
  (manifest.spec as Record<string, unknown>).hooks = hooks;
  await c.api.post("/apply", { resources: [manifest] });
  await waitForRollout(c.api, name, isHealthy);
  await c.api.post(`/rollouts/${name}/set`, { env: { VERSION: "2.0" } });
}

const reasonOf = (r: Rollout) => r.status?.conditions.find((x) => x.type === "Progressing")?.reason;
const hook = (name: string, type: string, path: string, extra: Record<string, unknown> = {}) => ({
  name,
  type,
  webhook: { url: `${base}${path}` },
  intervalSeconds: 1,
  ...extra,
});

describe("lifecycle hooks on the local platform", () => {
  it("calls every hook type with its payload; a gate retries a failed call, then the rollout completes", async () => {
    const c = await started();
    await rollOut(
      c,
      "web",
      [
        hook("start", "confirm-rollout", "/flaky", {
          retries: 1,
          retryBackoffSeconds: 0.2,
          metadata: { team: "shop" },
        }),
        hook("accept", "pre-rollout", "/ok"),
        hook("check", "rollout", "/ok"),
        hook("more", "confirm-traffic-increase", "/ok"),
        hook("ship", "confirm-promotion", "/ok"),
        hook("rb", "rollback", "/fail"),
        hook("done", "post-rollout", "/ok"),
        hook("events", "event", "/ok"),
      ],
      [{ setWeight: 50 }, { pause: { duration: 1 } }],
    );
    const healthy = await waitForRollout(c.api, "web", isHealthy);
    const types = new Set(calls.map((x) => x.body.type));
    for (const t of [
      "confirm-rollout",
      "pre-rollout",
      "rollout",
      "confirm-traffic-increase",
      "confirm-promotion",
      "rollback",
      "post-rollout",
      "event",
    ])
      expect(types, t).toContain(t);
    // The retry: one 503, then a 200 inside the same try.
    const start = calls.filter((x) => x.body.hook === "start");
    expect(start.length).toBeGreaterThanOrEqual(2);
    expect(start[0]?.body).toMatchObject({
      name: "web",
      namespace: "default",
      type: "confirm-rollout",
      checksum: healthy.status?.currentRevision,
      revision: healthy.status?.currentRevision,
      weight: 0,
      attempt: 1,
      metadata: { team: "shop" },
    });
    expect(calls.find((x) => x.body.hook === "more")?.body).toMatchObject({ step: 0, weight: 0 });
    await waitFor(() => calls.some((x) => x.body.type === "post-rollout"), {
      timeoutMs: 10_000,
      message: "post-rollout",
    });
    const events = await c.api.get<EventRecord[]>("/events?kind=Rollout&name=web&limit=100");
    expect(events.filter((e) => e.reason === "GateOpened").map((e) => e.message)).toContain(
      'confirm-rollout hook "start" opened by hook start: HTTP 200',
    );
  });

  it("aborts on a failing pre-rollout hook, a rollout hook that times out, and a rollback hook that says yes", async () => {
    const c = await started();
    const steps = [{ setWeight: 50 }, { pause: {} }];
    await Promise.all([
      rollOut(c, "bad", [hook("accept", "pre-rollout", "/fail")], steps),
      rollOut(c, "slow", [hook("check", "rollout", "/slow", { timeoutSeconds: 0.5 })], steps),
      rollOut(c, "pulled", [hook("kill", "rollback", "/ok")], steps),
    ]);
    const bad = await waitForRollout(c.api, "bad", (r) => r.status?.phase === "Degraded");
    expect(reasonOf(bad)).toBe("PreRolloutHookFailed");
    expect(bad.status?.conditions.find((x) => x.type === "Progressing")?.message).toContain(
      "answered HTTP 500 (acceptance failed)",
    );
    const slow = await waitForRollout(c.api, "slow", (r) => r.status?.phase === "Degraded");
    expect(reasonOf(slow)).toBe("RolloutHookFailed");
    expect(slow.status?.conditions.find((x) => x.type === "Progressing")?.message).toMatch(/timed out/);
    const pulled = await waitForRollout(c.api, "pulled", (r) => r.status?.phase === "Degraded");
    expect(reasonOf(pulled)).toBe("RollbackHook");
  });

  it("a manual gate survives a controller kill -9 and is opened with who and why", async () => {
    const first = await started();
    await rollOut(first, "gated", [], [{ setWeight: 20 }, { gate: { name: "qa" } }, { setWeight: 60 }, { pause: {} }]);
    const waiting = await waitForRollout(
      first.api,
      "gated",
      (r) => r.status?.phase === "Paused" && (r.status.gates?.length ?? 0) > 0,
    );
    const since = waiting.status?.gates?.[0]?.waitingSince;
    await first.kill9();

    const second = await started(first.stateDir);
    const resumed = await waitForRollout(second.api, "gated", (r) => r.status?.phase === "Paused");
    expect(resumed.status?.gates?.[0]).toMatchObject({ name: "qa", waitingSince: since });
    expect(resumed.status?.message).toContain("sluice gate open gated --gate qa");

    // The CLI, as a person runs it: a wrong gate name is refused with the ones that wait.
    const wrong = await runSluice(["gate", "open", "gated", "--gate", "nope", "--state-dir", second.stateDir]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('rollout "gated" has no gate "nope" waiting; waiting: qa');
    const cli = await runSluice(["gate", "open", "gated", "--reason", "QA signed off", "--state-dir", second.stateDir]);
    expect(cli.stderr).toBe("");
    expect(cli.stdout).toMatch(/^rollout "gated": gate "qa" opened by \S+/);
    const opened = await second.api.get<Rollout>("/rollouts/gated");
    expect(opened.status?.gates?.[0]).toMatchObject({ name: "qa", reason: "QA signed off" });
    expect(opened.status?.gates?.[0]?.openedBy).toBeTruthy();
    await waitForRollout(
      second.api,
      "gated",
      (r) => r.status?.phase === "Paused" && !r.status.message.includes("gate"),
    );
    await second.api.post("/rollouts/gated/promote", {});
    await waitForRollout(second.api, "gated", isHealthy);
    const events = await second.api.get<EventRecord[]>("/events?kind=Rollout&name=gated&limit=100");
    const received = events.find((e) => e.reason === "CommandReceived" && e.message.startsWith("sluice gate open"));
    expect(received?.actor).toBe(opened.status?.gates?.[0]?.openedBy);
  });
});
