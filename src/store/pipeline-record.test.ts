import { describe, expect, it } from "vitest";
import { PipelineRecordTable } from "./pipeline-record.js";
import { memoryDb } from "./test-db.js";

const entry = (release: string, type: "Approved" | "Promoted", pipeline = "shop") => ({
  time: "2026-01-01T00:00:00.000Z",
  pipeline,
  release,
  stage: "prod",
  type,
  actor: "alice",
  reason: "looks good",
});

describe("PipelineRecordTable", () => {
  it("keeps entries in append order with increasing seq, per pipeline", () => {
    const t = new PipelineRecordTable(memoryDb());
    const [a, b] = t.append([entry("v1", "Approved"), entry("v1", "Promoted")]);
    t.append([entry("v1", "Approved", "other")]);
    const [c] = t.append([entry("v2", "Approved")]);
    expect(a!.seq).toBeLessThan(b!.seq);
    expect(t.list("shop").map((e) => [e.release, e.type])).toEqual([
      ["v1", "Approved"],
      ["v1", "Promoted"],
      ["v2", "Approved"],
    ]);
    expect(t.list("shop", { sinceSeq: b!.seq }).map((e) => e.seq)).toEqual([c!.seq]);
    expect(t.list("shop", { release: "v1", limit: 1 }).map((e) => e.type)).toEqual(["Promoted"]);
  });

  it("refuses an entry the model refuses, and stores nothing for it", () => {
    const t = new PipelineRecordTable(memoryDb());
    expect(() => t.append([{ ...entry("v1", "Approved"), actor: "" }])).toThrow();
    expect(t.list("shop")).toEqual([]);
  });
});
