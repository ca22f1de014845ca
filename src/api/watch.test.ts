import { describe, expect, it } from "vitest";
import type { ChangeNotice, EventRecord } from "../controller/control-plane.js";
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
  async function open(query = "", heartbeatMs = 15_000) {
    const control = new FakeControlPlane();
    const app = createApi({ control, token: TOKEN, version: "x", heartbeatMs });
    const res = await app.request(`/api/v1/watch${query}`, { headers: { authorization: `Bearer ${TOKEN}` } });
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
