import { describe, expect, it } from "vitest";
import { MemoryReplicaRegistry, type ReplicaRecord, replicaId } from "./registry.js";

const record = (index: number, pid: number): ReplicaRecord => ({
  id: replicaId("web", "abc123", index),
  rollout: "web",
  revision: "abc123",
  index,
  pid,
  port: 40000 + index,
  startTime: "12345",
});

describe("MemoryReplicaRegistry", () => {
  it("saves, replaces by id, lists and removes", () => {
    const reg = new MemoryReplicaRegistry();
    reg.save(record(0, 10));
    reg.save(record(1, 11));
    reg.save(record(0, 20));
    expect(reg.list().map((r) => [r.id, r.pid])).toEqual([
      ["web-abc123-0", 20],
      ["web-abc123-1", 11],
    ]);
    reg.remove("web-abc123-0");
    expect(reg.list().map((r) => r.id)).toEqual(["web-abc123-1"]);
  });

  it("hands out copies, so callers cannot change what is stored", () => {
    const reg = new MemoryReplicaRegistry();
    const r = record(0, 10);
    reg.save(r);
    r.pid = 99;
    const listed = reg.list()[0];
    if (listed) listed.port = 1;
    expect(reg.list()[0]).toMatchObject({ pid: 10, port: 40000 });
  });
});
