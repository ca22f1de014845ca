import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ApiClient, ApiClientError } from "../../src/api/client.js";
import type { EventRecord } from "../../src/ports/control-plane.js";
import { runSluice } from "../helpers/cli.js";
import { ControllerProcess } from "../helpers/controller.js";
import { demoRollout, isHealthy, waitForRollout } from "../helpers/rollouts.js";

/**
 * Named tokens against a real `sluice up`: made with the CLI, used by the CLI (SLUICE_TOKEN) and
 * over HTTP, each held to its role, named in the record, and refused once revoked, across a restart.
 */
describe("named API tokens and roles on a local controller", () => {
  const c = new ControllerProcess();
  const dir = () => ["--state-dir", c.stateDir];
  const as = (token: string) => ({ env: { SLUICE_TOKEN: token } });
  let manifest = "";
  let viewer = "";
  let operator = "";

  beforeAll(async () => {
    await c.start();
    manifest = path.join(c.stateDir, "web.yaml");
    const strategy = { canary: { steps: [{ setWeight: 50 }, { pause: {} }], scaleDownDelaySeconds: 1 } };
    writeFileSync(manifest, stringify(demoRollout("web", { VERSION: "1.0" }, strategy, 1)));
    const applied = await runSluice([...dir(), "apply", "-f", manifest]);
    expect(applied.code).toBe(0);
    await waitForRollout(c.api, "web", isHealthy, { timeoutMs: 90_000 });
  }, 120_000);
  afterAll(() => c.destroy(), 60_000);

  it("creates a viewer and an operator token with the CLI, each printed once on stdout", async () => {
    const made = await runSluice([...dir(), "token", "create", "dash", "--role", "viewer"]);
    expect(made.code).toBe(0);
    viewer = made.stdout.trim();
    expect(viewer).toMatch(/^sluice_[A-Za-z0-9_-]{43}$/);
    expect(made.stderr).toMatch(/token "dash" created with role viewer\. Copy it now/);
    operator = (await runSluice([...dir(), "token", "create", "ci-bot", "--role", "operator"])).stdout.trim();
    expect(operator).toMatch(/^sluice_/);

    const list = await runSluice([...dir(), "token", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^NAME\s+ROLE\s+CREATED\s+CREATED BY\s+LAST USED\s+REVOKED/);
    expect(list.stdout).toMatch(/dash\s+viewer\s+\S+\s+local-admin/);
    expect(list.stdout).toMatch(/ci-bot\s+operator\s+\S+\s+local-admin/);
    for (const t of [viewer, operator]) expect(list.stdout).not.toContain(t.slice("sluice_".length, 20));

    const badRole = await runSluice([...dir(), "token", "create", "x", "--role", "root"]);
    expect(badRole.code).not.toBe(0);
  });

  it("lets the viewer read, and refuses it abort and apply with 403 naming token, role and role needed", async () => {
    const get = await runSluice([...dir(), "get", "rollouts"], as(viewer));
    expect(get.code).toBe(0);
    expect(get.stdout).toMatch(/web\s+Canary\s+Healthy/);

    const abort = await runSluice([...dir(), "abort", "web"], as(viewer));
    expect(abort.code).toBe(1);
    expect(abort.stderr.trim()).toMatch(
      /^error: API token "dash" has role viewer; POST \/api\/v1\/rollouts\/web\/abort needs role operator; /,
    );
    expect(abort.stderr.trim().split("\n")).toHaveLength(1);

    const apply = await runSluice([...dir(), "apply", "-f", manifest], as(viewer));
    expect(apply.code).toBe(1);
    expect(apply.stderr).toMatch(/API token "dash" has role viewer; POST \/api\/v1\/apply\S* needs role admin/);

    const events = await c.api.get<EventRecord[]>("/events?kind=Rollout&name=web");
    expect(events.filter((e) => e.actor === "dash")).toEqual([]);
  });

  it("lets the operator abort, and the record names it", async () => {
    const abort = await runSluice([...dir(), "abort", "web"], as(operator));
    expect(abort.code).toBe(0);
    const events = await c.api.get<EventRecord[]>("/events?kind=Rollout&name=web");
    const received = events.filter((e) => e.reason === "CommandReceived");
    expect(received.at(-1)).toMatchObject({ message: "sluice abort", actor: "ci-bot" });
    expect(events.find((e) => e.reason === "Applied")).toMatchObject({ actor: "local-admin" });

    const describe = await runSluice([...dir(), "describe", "rollout", "web"], as(operator));
    expect(describe.stdout).toMatch(/CommandReceived\s+sluice abort \(by ci-bot\)/);

    const { url } = JSON.parse(readFileSync(path.join(c.stateDir, "api.json"), "utf8")) as { url: string };
    const apply = await new ApiClient(url, operator).post("/apply", { resources: [] }).catch((e: unknown) => e);
    expect(apply).toBeInstanceOf(ApiClientError);
    expect((apply as ApiClientError).status).toBe(403);
  });

  it("refuses a revoked token at once (401), and keeps tokens and revocations across a restart", async () => {
    const revoke = await runSluice([...dir(), "token", "revoke", "ci-bot"]);
    expect(revoke.code).toBe(0);
    expect(revoke.stdout).toMatch(/^token "ci-bot" revoked/);
    const refused = await runSluice([...dir(), "get", "rollouts"], as(operator));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/API token "ci-bot" was revoked at \S+ by "local-admin"/);

    await c.kill9();
    await c.start();
    expect((await runSluice([...dir(), "get", "rollouts"], as(operator))).code).toBe(1);
    expect((await runSluice([...dir(), "get", "rollouts"], as(viewer))).code).toBe(0);
    const list = await runSluice([...dir(), "token", "list"]);
    expect(list.stdout).toMatch(/ci-bot\s+operator.*ago by local-admin/);
  });

  it("still takes the api-token file as the admin, local-admin", async () => {
    expect(await c.api.get("/whoami")).toEqual({ name: "local-admin", role: "admin" });
    const admin = await runSluice([...dir(), "token", "list", "-o", "json"]);
    expect(JSON.parse(admin.stdout).map((t: { name: string }) => t.name)).toEqual(["dash", "ci-bot"]);
  });
});
