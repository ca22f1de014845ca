import type { Dispatcher } from "undici";
import { describe, expect, it } from "vitest";
import { UpstreamSet } from "./upstreams.js";

function fakePools() {
  const opened: string[] = [];
  const closed: string[] = [];
  const factory = (origin: string) => {
    opened.push(origin);
    return {
      close: async () => {
        closed.push(origin);
      },
    } as unknown as Dispatcher;
  };
  return { opened, closed, factory };
}

describe("UpstreamSet", () => {
  it("opens one pool per endpoint and reuses it", () => {
    const pools = fakePools();
    const set = new UpstreamSet(pools.factory);
    expect(set.acquire("127.0.0.1:1")).toBe(set.acquire("127.0.0.1:1"));
    expect(pools.opened).toEqual(["http://127.0.0.1:1"]);
  });

  it("closes a removed endpoint only after its in-flight requests finish", async () => {
    const pools = fakePools();
    const set = new UpstreamSet(pools.factory);
    const u = set.acquire("127.0.0.1:1");
    u.begin();
    u.begin();
    set.retain(new Set());
    expect(set.inflight("127.0.0.1:1")).toBe(2);
    expect(pools.closed).toEqual([]);
    u.end();
    expect(pools.closed).toEqual([]);
    u.end();
    await Promise.resolve();
    expect(pools.closed).toEqual(["http://127.0.0.1:1"]);
    expect(set.inflight("127.0.0.1:1")).toBe(0);
  });

  it("counts a retired upstream and its replacement for the same endpoint", () => {
    const set = new UpstreamSet(fakePools().factory);
    const old = set.acquire("127.0.0.1:1");
    old.begin();
    set.retain(new Set());
    const fresh = set.acquire("127.0.0.1:1");
    expect(fresh).not.toBe(old);
    fresh.begin();
    expect(set.inflight("127.0.0.1:1")).toBe(2);
    expect(set.totalInflight()).toBe(2);
    expect(set.endpoints()).toEqual(["127.0.0.1:1"]);
  });

  it("keeps endpoints still in the config", () => {
    const pools = fakePools();
    const set = new UpstreamSet(pools.factory);
    set.acquire("127.0.0.1:1");
    set.acquire("127.0.0.1:2");
    set.retain(new Set(["127.0.0.1:2"]));
    expect(set.endpoints()).toEqual(["127.0.0.1:2"]);
  });

  it("closes everything on close", async () => {
    const pools = fakePools();
    const set = new UpstreamSet(pools.factory);
    set.acquire("127.0.0.1:1");
    set.acquire("127.0.0.1:2").mirrorPool;
    await set.close();
    expect(pools.closed.sort()).toEqual(["http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:2"]);
  });
});
