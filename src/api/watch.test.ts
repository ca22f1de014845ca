import { describe, expect, it } from "vitest";
import type { ChangeNotice, EventRecord } from "../ports/control-plane.js";
import { createApi } from "./app.js";
import { type SseMessage, SseParser } from "./sse.js";
import { FakeControlPlane, rolloutManifest } from "./testing.js";
import { matchesFilter } from "./watch.js";

const TOKEN = "t".repeat(64);
const event = (id: number, name: string): EventRecord => ({
  id,
  kind: "Rollout",
  name,
  time: "2025-01-01T00:00:00.000Z",
  type: "Normal",
  reason: "Step",
  message: "m",
});

/** Reads the stream until `want` messages (or, with want = 0, the first bytes) arrive. */
async function read(reader: ReadableStreamDefaultReader<Uint8Array>, parser: SseParser, want: number) {
  const got: SseMessage[] = [];
  let raw = "";
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    const text = new TextDecoder().decode(value);
    raw += text;
    got.push(...parser.push(text));
    if (want === 0 ? raw.length > 0 : got.length >= want) break;
  }
  return { got, raw };
}

describe("GET /api/v1/watch", () => {
  async function open(
    query = "",
    heartbeatMs = 15_000,
    setup: (control: FakeControlPlane) => void = () => {},
    headers = {},
  ) {
    const control = new FakeControlPlane();
    setup(control);
    const app = createApi({
      control,
      token: TOKEN,
      version: "x",
      heartbeatMs,
      previewUrl: () => "http://127.0.0.1:4000",
    });
    const res = await app.request(`/api/v1/watch${query}`, {
      headers: { authorization: `Bearer ${TOKEN}`, ...headers },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const reader = res.body!.getReader();
    const parser = new SseParser();
    const first = await read(reader, parser, 0);
    expect(first.raw).toBe(": connected\n\n");
    return { control, reader, parser };
  }

  it("streams status, deleted and event notices as named events, then unsubscribes on disconnect", async () => {
    const { control, reader, parser } = await open();
    expect(control.watchers).toBe(1);
    const resource = { ...rolloutManifest("web"), status: undefined } as never;
    const changes: ChangeNotice[] = [
      { type: "status", kind: "Rollout", name: "web", resource },
      { type: "deleted", kind: "Rollout", name: "web" },
      { type: "event", event: event(7, "web") },
    ];
    for (const c of changes) control.emit(c);
    const { got } = await read(reader, parser, 3);
    expect(got.map((m) => m.event)).toEqual(["status", "deleted", "event"]);
    expect(got.map((m) => JSON.parse(m.data))).toEqual(JSON.parse(JSON.stringify(changes)));
    expect(got[2]?.id).toBe("7");

    await reader.cancel();
    const deadline = Date.now() + 2000;
    while (control.watchers > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(control.watchers).toBe(0);
  });

  it("filters by name, events included", async () => {
    const { control, reader, parser } = await open("?name=web");
    control.emit({ type: "deleted", kind: "Rollout", name: "api" });
    control.emit({ type: "event", event: event(1, "api") });
    control.emit({ type: "event", event: event(2, "web") });
    const { got } = await read(reader, parser, 1);
    expect(got.map((m) => m.id)).toEqual(["2"]);
    await reader.cancel();
  });

  it("sends heartbeat comments while idle", async () => {
    const { reader, parser } = await open("", 20);
    const { raw, got } = await read(reader, parser, 0);
    expect(raw).toBe(": heartbeat\n\n");
    expect(got).toEqual([]);
    await reader.cancel();
  });

  it("replays the events after Last-Event-ID first, then live ones, never one twice", async () => {
    const { control, reader, parser } = await open(
      "?name=web",
      15_000,
      (c) => c.eventLog.push(event(1, "web"), event(2, "api"), event(3, "web"), event(4, "web")),
      { "last-event-id": "1" },
    );
    const replayed = await read(reader, parser, 2);
    expect(replayed.got.map((m) => m.id)).toEqual(["3", "4"]);
    expect(JSON.parse(replayed.got[0]!.data)).toEqual({ type: "event", event: event(3, "web") });
    // Event 4 was committed before the watch read the log and is also notified afterwards: sent once.
    control.emit({ type: "event", event: event(4, "web") });
    control.emit({ type: "event", event: event(5, "web") });
    const live = await read(reader, parser, 1);
    expect(live.got.map((m) => m.id)).toEqual(["5"]);
    await reader.cancel();
  });

  it("rejects a Last-Event-ID that is not an event id", async () => {
    const app = createApi({ control: new FakeControlPlane(), token: TOKEN, version: "x" });
    const res = await app.request("/api/v1/watch", {
      headers: { authorization: `Bearer ${TOKEN}`, "last-event-id": "abc" },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "Invalid", path: "Last-Event-ID" } });
  });

  it("adds the preview address to blue-green rollouts in status notices", async () => {
    const { control, reader, parser } = await open();
    const manifest = rolloutManifest("bg") as { spec: Record<string, unknown> };
    const bg = {
      ...manifest,
      spec: { ...manifest.spec, strategy: { blueGreen: {} } },
      status: { phase: "Healthy", revisions: [] },
    };
    control.emit({ type: "status", kind: "Rollout", name: "bg", resource: bg as never });
    const { got } = await read(reader, parser, 1);
    expect(JSON.parse(got[0]!.data).resource.status.previewUrl).toBe("http://127.0.0.1:4000");
    await reader.cancel();
  });

  it("needs the token like every other API route", async () => {
    const app = createApi({ control: new FakeControlPlane(), token: TOKEN, version: "x" });
    expect((await app.request("/api/v1/watch")).status).toBe(401);
  });
});

describe("matchesFilter", () => {
  it("matches on kind and name of the object a change is about", () => {
    const deleted: ChangeNotice = { type: "deleted", kind: "AnalysisRun", name: "web-1" };
    expect(matchesFilter(deleted, {})).toBe(true);
    expect(matchesFilter(deleted, { kind: "AnalysisRun" })).toBe(true);
    expect(matchesFilter(deleted, { kind: "Rollout" })).toBe(false);
    expect(matchesFilter(deleted, { name: "web" })).toBe(false);
    expect(matchesFilter({ type: "event", event: event(1, "web") }, { kind: "Rollout", name: "web" })).toBe(true);
  });
});
