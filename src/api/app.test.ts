import { describe, expect, it } from "vitest";
import { NotFoundError } from "../ports/control-plane.js";
import { createApi } from "./app.js";
import type { ApiErrorBody } from "./errors.js";
import { FakeControlPlane, rolloutManifest } from "./testing.js";

const TOKEN = "a".repeat(64);

async function errorOf(res: Response): Promise<ApiErrorBody["error"]> {
  return ((await res.json()) as ApiErrorBody).error;
}

function setup(extra: Partial<Parameters<typeof createApi>[0]> = {}) {
  const control = new FakeControlPlane();
  const app = createApi({ control, token: TOKEN, version: "1.2.3", ...extra });
  const call = (path: string, init: RequestInit & { token?: string | null } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token !== null) headers.set("authorization", `Bearer ${init.token ?? TOKEN}`);
    return app.request(path, { ...init, headers });
  };
  const post = (path: string, body?: unknown) =>
    call(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: body === undefined ? "" : JSON.stringify(body),
    });
  return { control, app, call, post };
}

describe("auth", () => {
  it("rejects a missing or wrong token with 401 and runs no handler", async () => {
    const { control, call, post } = setup();
    const missing = await call("/api/v1/rollouts", { token: null });
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await missing.json()).toEqual({
      error: { code: "Unauthorized", message: expect.stringMatching(/missing API token/) },
    });

    const wrong = await call("/api/v1/apply", {
      method: "POST",
      token: "b".repeat(64),
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ resources: [rolloutManifest("web")] }),
    });
    expect(wrong.status).toBe(401);
    expect((await errorOf(wrong)).message).toMatch(/wrong API token/);
    expect((await call("/api/v1/rollouts", { token: "short" })).status).toBe(401);
    expect(control.mutations).toBe(0);
    expect(control.resources.size).toBe(0);

    expect((await post("/api/v1/apply", { resources: [rolloutManifest("web")] })).status).toBe(200);
    expect(control.resources.size).toBe(1);
  });

  it("hides even unknown /api/v1 routes behind the token", async () => {
    const { call } = setup();
    expect((await call("/api/v1/nothing/here/at/all", { token: null })).status).toBe(401);
  });

  it("leaves probes and metrics open", async () => {
    const { call } = setup({ metrics: async () => "sluice_up 1\n", ready: () => false });
    const health = await call("/healthz", { token: null });
    expect([health.status, await health.text()]).toEqual([200, "ok"]);
    expect((await call("/readyz", { token: null })).status).toBe(503);
    const metrics = await call("/metrics", { token: null });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await metrics.text()).toBe("sluice_up 1\n");
  });

  it("is ready when no readiness check is given, and has no metrics without a source", async () => {
    const { call } = setup();
    expect((await call("/readyz")).status).toBe(200);
    expect((await call("/metrics")).status).toBe(404);
  });
});

describe("resources", () => {
  it("applies JSON, then lists, gets and deletes", async () => {
    const { control, call, post } = setup();
    const applied = await post("/api/v1/apply", { resources: [rolloutManifest("web")] });
    expect(await applied.json()).toEqual([{ kind: "Rollout", name: "web", outcome: "created" }]);
    const list = (await (await call("/api/v1/rollouts")).json()) as { metadata: { name: string } }[];
    expect(list.map((r) => r.metadata.name)).toEqual(["web"]);
    expect(await (await call("/api/v1/rollouts/web")).json()).toMatchObject({ kind: "Rollout", spec: { replicas: 2 } });
    expect(await (await call("/api/v1/analysisruns")).json()).toEqual([]);

    const del = await call("/api/v1/rollouts/web", { method: "DELETE" });
    expect(await del.json()).toEqual({ kind: "Rollout", name: "web", deleted: true });
    expect(control.resources.size).toBe(0);
    expect((await call("/api/v1/rollouts/web", { method: "DELETE" })).status).toBe(404);
  });

  it("applies nothing on a dry run", async () => {
    const { control, post } = setup();
    const res = await post("/api/v1/apply", { resources: [rolloutManifest("web")], dryRun: true });
    expect(await res.json()).toEqual([{ kind: "Rollout", name: "web", outcome: "created" }]);
    expect(control.resources.size).toBe(0);
  });

  it("applies YAML text with line numbers in its errors", async () => {
    const { control, call } = setup();
    const yaml = (weight: number) =>
      `apiVersion: sluice.dev/v1alpha1
kind: Rollout
metadata:
  name: web
spec:
  replicas: 1
  template:
    process:
      command: node
  strategy:
    canary:
      steps:
        - setWeight: ${weight}
`;
    const send = (text: string, query = "") =>
      call(`/api/v1/apply${query}`, { method: "POST", headers: { "content-type": "application/yaml" }, body: text });
    const bad = await send(yaml(150), "?source=web.yaml");
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as {
      error: { code: string; path: string; details: { line?: number; file?: string }[] };
    };
    expect(body.error.code).toBe("Invalid");
    expect(body.error.path).toBe("spec.strategy.canary.steps[0].setWeight");
    expect(body.error.details[0]).toMatchObject({ file: "web.yaml", line: 13 });

    expect((await send(yaml(50), "?dryRun=true")).status).toBe(200);
    expect(control.resources.size).toBe(0);
    expect(await (await send(yaml(50))).json()).toEqual([{ kind: "Rollout", name: "web", outcome: "created" }]);
    expect(control.resources.size).toBe(1);
  });

  it("answers the stable error shapes", async () => {
    const { call, post } = setup();
    const invalid = await post("/api/v1/apply", { resources: [rolloutManifest("web", 200)] });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({
      error: {
        code: "Invalid",
        message: expect.stringContaining("must be between 0 and 100"),
        path: "spec.strategy.canary.steps[0].setWeight",
        details: [expect.objectContaining({ path: "spec.strategy.canary.steps[0].setWeight" })],
      },
    });
    const notJson = await call("/api/v1/apply", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{nope",
    });
    expect([notJson.status, (await errorOf(notJson)).message]).toEqual([400, expect.stringMatching(/not valid JSON/)]);
    const noList = await post("/api/v1/apply", { resource: [] });
    expect(await noList.json()).toMatchObject({ error: { code: "Invalid", path: "resources" } });

    expect(await (await call("/api/v1/rollouts/ghost")).json()).toEqual({
      error: { code: "NotFound", message: 'Rollout "ghost" not found' },
    });
    const unknownKind = await call("/api/v1/widgets");
    expect([unknownKind.status, (await errorOf(unknownKind)).code]).toEqual([404, "NotFound"]);
    const noRoute = await call("/nowhere");
    expect(await noRoute.json()).toEqual({ error: { code: "NotFound", message: "no route for GET /nowhere" } });
  });
});

describe("rollout actions", () => {
  it("maps each verb and body to a rollout command", async () => {
    const { control, post } = setup();
    await post("/api/v1/apply", { resources: [rolloutManifest("web")] });
    const res = await post("/api/v1/rollouts/web/promote-full");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ kind: "Rollout", metadata: { name: "web" } });
    await post("/api/v1/rollouts/web/undo", { toRevision: 3 });
    await post("/api/v1/rollouts/web/set", { env: { A: "1", B: null } });
    await post("/api/v1/rollouts/web/set", { command: "node", args: ["v2.js"] });
    expect(control.commands.map((c) => c.command)).toEqual([
      { type: "promoteFull" },
      { type: "undo", toRevision: 3 },
      { type: "setEnv", env: { A: "1", B: null } },
      { type: "setCommand", command: "node", args: ["v2.js"] },
    ]);
  });

  it("rejects a bad verb or body before touching the rollout", async () => {
    const { control, post } = setup();
    await post("/api/v1/apply", { resources: [rolloutManifest("web")] });
    const before = control.mutations;
    expect((await post("/api/v1/rollouts/web/explode")).status).toBe(404);
    const bad = await post("/api/v1/rollouts/web/undo", { toRevision: "two" });
    expect(await bad.json()).toMatchObject({ error: { code: "Invalid", path: "toRevision" } });
    expect(control.mutations).toBe(before);
  });

  it("maps NotFound, engine conflicts and unknown failures, never leaking a stack", async () => {
    const seen: unknown[] = [];
    const { control, post } = setup({ onInternalError: (e) => seen.push(e) });
    expect((await post("/api/v1/rollouts/ghost/abort")).status).toBe(404);

    await post("/api/v1/apply", { resources: [rolloutManifest("web")] });
    const engine = Object.assign(new Error("revision 9 is not in the history"), { name: "EngineError" });
    control.failNextCommand = engine;
    const conflict = await post("/api/v1/rollouts/web/undo", { toRevision: 9 });
    expect([conflict.status, await conflict.json()]).toEqual([
      409,
      { error: { code: "Conflict", message: "revision 9 is not in the history" } },
    ]);

    control.failNextCommand = new TypeError("cannot read properties of undefined");
    const internal = await post("/api/v1/rollouts/web/abort");
    const text = await internal.text();
    expect(internal.status).toBe(500);
    expect(JSON.parse(text)).toEqual({ error: { code: "Internal", message: "cannot read properties of undefined" } });
    expect(text).not.toMatch(/at .*\.ts/);
    expect(seen).toHaveLength(1);

    control.failNextCommand = new NotFoundError("Rollout", "web");
    expect((await post("/api/v1/rollouts/web/abort")).status).toBe(404);
  });
});

describe("what a rollout action did, and preview addresses", () => {
  it("answers Sluice-Command-Outcome: unchanged for a command that means nothing now, changed otherwise", async () => {
    const { post } = setup();
    await post("/api/v1/apply", { resources: [rolloutManifest("web")] });
    const resume = await post("/api/v1/rollouts/web/resume");
    expect([resume.status, resume.headers.get("sluice-command-outcome")]).toEqual([200, "unchanged"]);
    const pause = await post("/api/v1/rollouts/web/pause");
    expect(pause.headers.get("sluice-command-outcome")).toBe("changed");
  });

  it("adds status.previewUrl to blue-green rollouts the runtime serves a preview for, only there", async () => {
    const { control, call, post } = setup({
      previewUrl: (name) => (name === "bg" ? "http://127.0.0.1:4000" : undefined),
    });
    const bg = rolloutManifest("bg") as { spec: Record<string, unknown> };
    bg.spec.strategy = { blueGreen: {} };
    await post("/api/v1/apply", { resources: [bg, rolloutManifest("web")] });
    for (const key of ["Rollout/bg", "Rollout/web"]) {
      const stored = control.resources.get(key)!;
      control.resources.set(key, { ...stored, status: { phase: "Healthy", revisions: [] } } as never);
    }
    const one = (await (await call("/api/v1/rollouts/bg")).json()) as { status: { previewUrl?: string } };
    expect(one.status.previewUrl).toBe("http://127.0.0.1:4000");
    const list = (await (await call("/api/v1/rollouts")).json()) as {
      metadata: { name: string };
      status: { previewUrl?: string };
    }[];
    expect(list.map((r) => [r.metadata.name, r.status.previewUrl])).toEqual([
      ["bg", "http://127.0.0.1:4000"],
      ["web", undefined],
    ]);
    const acted = (await (await post("/api/v1/rollouts/bg/promote")).json()) as { status: { previewUrl?: string } };
    expect(acted.status.previewUrl).toBe("http://127.0.0.1:4000");
    // Stored state is untouched: the address is added on the way out.
    expect((control.resources.get("Rollout/bg") as { status: object }).status).not.toHaveProperty("previewUrl");
  });
});

describe("events and version", () => {
  it("filters events by query and rejects bad numbers", async () => {
    const { control, call } = setup();
    for (let id = 1; id <= 4; id++)
      control.eventLog.push({
        id,
        kind: "Rollout",
        name: id % 2 ? "web" : "api",
        time: "t",
        type: "Normal",
        reason: `R${id}`,
        message: "m",
      });
    const get = async (q: string) => (await (await call(`/api/v1/events${q}`)).json()) as { id: number }[];
    expect((await get("?kind=Rollout&name=web")).map((e) => e.id)).toEqual([1, 3]);
    expect((await get("?kind=rollouts&sinceId=2")).map((e) => e.id)).toEqual([3, 4]);
    expect((await get("?limit=1")).map((e) => e.id)).toEqual([4]);
    expect((await call("/api/v1/events?limit=-1")).status).toBe(400);
    expect(await (await call("/api/v1/events?kind=Widget")).json()).toMatchObject({
      error: { code: "Invalid", path: "kind" },
    });
  });

  it("reports its version", async () => {
    const { call } = setup();
    expect(await (await call("/api/v1/version")).json()).toEqual({ version: "1.2.3" });
  });
});
