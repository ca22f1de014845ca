import { describe, expect, it } from "vitest";
import type { RecordEntry } from "../model/index.js";
import { Ledger } from "./ledger.js";

const entry = (type: RecordEntry["type"], release: string, stage?: string, pipeline = "p"): RecordEntry => ({
  time: "2025-03-03T10:00:00Z",
  pipeline,
  release,
  ...(stage ? { stage } : {}),
  type,
  actor: "a",
  reason: "",
});

describe("Ledger", () => {
  it("answers from the record and from what the plan added, ignoring other pipelines", () => {
    const l = new Ledger("p", [entry("Promoted", "v1", "canary"), entry("Promoted", "v9", "canary", "other")]);
    expect(l.desired("canary")?.release).toBe("v1");
    l.add(entry("RolledBack", "v0", "canary"));
    expect(l.desired("canary")).toMatchObject({ release: "v0", type: "RolledBack", seq: 1 });
    expect(l.added.map((e) => e.release)).toEqual(["v0"]);
  });

  it("a release is rejected by the last of its Rejected and Unrejected entries", () => {
    const l = new Ledger("p", [entry("Rejected", "v1", "canary"), entry("Unrejected", "v1")]);
    expect(l.rejected("v1")).toBeUndefined();
    l.add(entry("Rejected", "v1"));
    expect(l.rejected("v1")?.seq).toBe(2);
  });

  it("counts attempts from un-rejections of the release and retries of the stage", () => {
    const l = new Ledger("p", [
      entry("Verified", "v1", "prod"),
      entry("Unrejected", "v1"),
      entry("Retried", "v1", "other"),
    ]);
    expect(l.attempt("prod", "v1")).toEqual({ number: 2, after: 1 });
    l.add(entry("Retried", "v1", "prod"));
    expect(l.attempt("prod", "v1")).toEqual({ number: 3, after: 3 });
    expect(l.find("prod", "v1", ["Verified"], l.attempt("prod", "v1").after)).toEqual([]);
  });

  it("a release passed a stage once it was Healthy there", () => {
    const l = new Ledger("p", [entry("Promoted", "v1", "canary")]);
    expect(l.passed("canary", "v1")).toBe(false);
    l.add(entry("Healthy", "v1", "canary"));
    expect(l.passed("canary", "v1")).toBe(true);
  });
});
