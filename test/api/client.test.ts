import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApi } from "../../src/api/app.js";
import { ApiClient, ApiClientError } from "../../src/api/client.js";
import { type ServedApi, serveApi } from "../../src/api/serve.js";
import { FakeControlPlane, rolloutManifest } from "../../src/api/testing.js";
import type { Rollout } from "../../src/model/index.js";
import type { ChangeNotice, EventRecord } from "../../src/ports/control-plane.js";
import { waitFor } from "../helpers/wait.js";

const TOKEN = "e".repeat(64);
let control: FakeControlPlane;
let served: ServedApi;
let api: ApiClient;

beforeEach(async () => {
  control = new FakeControlPlane();
  served = await serveApi(createApi({ control, token: TOKEN, version: "test" }));
  api = new ApiClient(`${served.url}/`, TOKEN);
});
afterEach(async () => {
  await served.close();
});

async function failure(p: Promise<unknown>): Promise<ApiClientError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiClientError);
  return err as ApiClientError;
}

const event = (id: number, name: string): EventRecord => ({
  id,
  kind: "Rollout",
  name,
  time: "2025-01-01T00:00:00.000Z",
  type: "Normal",
  reason: "Step",
  message: `event ${id}`,
});

describe("ApiClient", () => {
  it("gets, posts and deletes, returning parsed JSON", async () => {
    expect(await api.post("/apply", { resources: [rolloutManifest("web")] })).toEqual([
      { kind: "Rollout", name: "web", outcome: "created" },
    ]);
    expect((await api.get<Rollout>("/rollouts/web")).spec.replicas).toBe(2);
    expect((await api.post<Rollout>("/rollouts/web/pause")).metadata.name).toBe("web");
    expect(control.commands).toEqual([{ rollout: "web", command: { type: "pause" } }]);
    expect(await api.delete("/rollouts/web")).toEqual({ kind: "Rollout", name: "web", deleted: true });
    expect(await api.get("/rollouts")).toEqual([]);
  });

  it("throws the API's error code, message, status and field path", async () => {
    const notFound = await failure(api.get("/rollouts/ghost"));
    expect([notFound.code, notFound.status, notFound.message]).toEqual(["NotFound", 404, 'Rollout "ghost" not found']);

    const invalid = await failure(api.post("/apply", { resources: [rolloutManifest("web", 101)] }));
    expect([invalid.code, invalid.status, invalid.extra.path]).toEqual([
      "Invalid",
      400,
      "spec.strategy.canary.steps[0].setWeight",
    ]);
    expect(invalid.extra.details?.length).toBe(1);

    const unauthorized = await failure(new ApiClient(served.url, "wrong").get("/rollouts"));
    expect([unauthorized.code, unauthorized.status]).toEqual(["Unauthorized", 401]);
  });

  it("reports an unreachable controller as Unavailable", async () => {
    const url = served.url;
    await served.close();
    const err = await failure(new ApiClient(url, TOKEN).get("/rollouts"));
    expect(err.code).toBe("Unavailable");
    expect(err.status).toBe(0);
    expect(err.message).toContain(url);
  });

  it("watches changes until aborted, filtered by name", async () => {
    const changes: ChangeNotice[] = [];
    const abort = new AbortController();
    let opened = false;
    const watching = api.watch((c) => changes.push(c), abort.signal, { name: "web", onOpen: () => (opened = true) });
    await waitFor(() => opened, { timeoutMs: 5000, message: "the watch to open" });
    control.emit({ type: "event", event: event(1, "api") });
    control.emit({ type: "event", event: event(2, "web") });
    control.emit({ type: "deleted", kind: "Rollout", name: "web" });
    await waitFor(() => changes.length >= 2, { timeoutMs: 5000, message: "two changes" });
    expect(changes).toEqual([
      { type: "event", event: event(2, "web") },
      { type: "deleted", kind: "Rollout", name: "web" },
    ]);
    abort.abort();
    await expect(watching).resolves.toBeUndefined();
    await waitFor(() => control.watchers === 0, { timeoutMs: 5000, message: "the server to drop the watcher" });
  });

  it("rejects a watch the controller ends, and returns at once for an aborted signal", async () => {
    let opened = false;
    const watching = api.watch(() => {}, undefined, { onOpen: () => (opened = true) });
    await waitFor(() => opened, { timeoutMs: 5000, message: "the watch to open" });
    await served.close();
    const err = await failure(watching);
    expect(err.code).toBe("Unavailable");

    const aborted = AbortSignal.abort();
    await expect(new ApiClient(served.url, TOKEN).watch(() => {}, aborted)).resolves.toBeUndefined();
  });

  it("rejects a watch it may not open", async () => {
    const err = await failure(new ApiClient(served.url, "wrong").watch(() => {}));
    expect(err.code).toBe("Unauthorized");
  });
});
