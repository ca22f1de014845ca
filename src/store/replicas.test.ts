import { describe, expect, it } from "vitest";
import { type ReplicaRecord, ReplicaTable } from "./replicas.js";
import { memoryDb } from "./test-db.js";

const rec = (id: string, over: Partial<ReplicaRecord> = {}): ReplicaRecord => ({
  id,
  rollout: "web",
  revision: "abc",
  index: 0,
  pid: 100,
  port: 9000,
  startTime: "2025-01-01T00:00:00.000Z",
  ...over,
});

describe("ReplicaTable", () => {
  it("saves, updates in place, lists and removes", () => {
    const t = new ReplicaTable(memoryDb());
    t.save(rec("b", { index: 1 }));
    t.save(rec("a"));
    expect(t.list()).toEqual([rec("a"), rec("b", { index: 1 })]);

    t.save(rec("a", { pid: 200, restartAt: "2025-01-02T00:00:00.000Z" }));
    expect(t.list()[0]).toEqual(rec("a", { pid: 200, restartAt: "2025-01-02T00:00:00.000Z" }));
    // Clearing restartAt clears the column, not just leaves the old value.
    t.save(rec("a", { pid: 200 }));
    expect(t.list()[0]).toEqual(rec("a", { pid: 200 }));

    t.remove("a");
    t.remove("missing");
    expect(t.list().map((r) => r.id)).toEqual(["b"]);
  });
});
