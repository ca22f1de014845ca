import { describe, expect, it } from "vitest";
import { PipelineSpec } from "../model/index.js";
import { ancestors, createContext, releaseIndex, timeOf } from "./context.js";

const ctx = (stages: unknown[]) =>
  createContext({
    pipeline: { name: "p", spec: PipelineSpec.parse({ stages }) },
    releases: [{ metadata: { name: "a" } }, { metadata: { name: "b" } }, { metadata: { name: "a" } }],
    stages: {},
    record: [],
    runs: {},
    now: new Date("2025-03-03T10:00:00Z"),
  });

describe("plan context", () => {
  it("resolves after lists and finds every earlier stage, even through a cycle", () => {
    const c = ctx([
      { name: "x", rollout: "r", after: ["z"] },
      { name: "y", rollout: "r" },
      { name: "z", rollout: "r" },
    ]);
    expect(c.stages.map((s) => s.after)).toEqual([["z"], ["x"], ["y"]]);
    expect([...ancestors(c, "z")].sort()).toEqual(["x", "y"]);
  });

  it("orders releases by their first appearance; unknown ones are -1", () => {
    const c = ctx([{ name: "x", rollout: "r" }]);
    expect([releaseIndex(c, "a"), releaseIndex(c, "b"), releaseIndex(c, "nope"), releaseIndex(c, undefined)]).toEqual([
      0, 1, -1, -1,
    ]);
  });

  it("parses times, NaN for none", () => {
    expect(timeOf("2025-03-03T10:00:00Z")).toBe(Date.UTC(2025, 2, 3, 10));
    expect(timeOf(undefined)).toBeNaN();
  });
});
