import { describe, expect, it } from "vitest";
import { SseParser } from "./sse.js";

describe("SseParser", () => {
  it("parses named events with ids and skips comments", () => {
    const p = new SseParser();
    expect(p.push(': connected\n\nevent: status\ndata: {"a":1}\nid: 4\n\n: heartbeat\n\n')).toEqual([
      { event: "status", data: '{"a":1}', id: "4" },
    ]);
  });

  it("joins multi-line data and defaults the event name", () => {
    expect(new SseParser().push("data: one\ndata:two\n\n")).toEqual([{ event: "message", data: "one\ntwo" }]);
  });

  it("handles chunks split anywhere, CRLF included", () => {
    const p = new SseParser();
    const text = "event: deleted\r\ndata: x\r\n\r\nevent: event\r\ndata: y\r\n\r\n";
    const out = [];
    for (const ch of text) out.push(...p.push(ch));
    expect(out).toEqual([
      { event: "deleted", data: "x" },
      { event: "event", data: "y" },
    ]);
  });

  it("does not dispatch an event without data, nor a half-received one", () => {
    const p = new SseParser();
    expect(p.push("event: status\n\n")).toEqual([]);
    expect(p.push("event: status\ndata: 1\n")).toEqual([]);
    expect(p.push("\n")).toEqual([{ event: "status", data: "1" }]);
  });
});
