import { describe, expect, it } from "vitest";
import { ObjectMeta } from "../model/index.js";
import { analysisRunName, resolveArgs, stepRunSuffix } from "./analysis-runs.js";

describe("analysisRunName", () => {
  it.each([
    { rollout: "web", out: "web-2-7-step3" },
    { rollout: "a".repeat(63), out: `${"a".repeat(63 - "-2-7-step3".length)}-2-7-step3` },
    { rollout: `${"a".repeat(52)}-${"b".repeat(10)}`, out: `${"a".repeat(52)}-2-7-step3` },
  ])("$rollout", ({ rollout, out }) => {
    const name = analysisRunName(rollout, 2, 7, stepRunSuffix(2));
    expect(name).toBe(out);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(() => ObjectMeta.parse({ name })).not.toThrow();
  });
});

describe("resolveArgs", () => {
  it("resolves podTemplateHashValue and leaves plain values to the run builder", () => {
    const args = [
      { name: "canary", valueFrom: { podTemplateHashValue: "Latest" as const } },
      { name: "stable", valueFrom: { podTemplateHashValue: "Stable" as const } },
      { name: "service", value: "web" },
    ];
    expect(resolveArgs(args, "c1", "s1")).toEqual({ canary: "c1", stable: "s1" });
    expect(resolveArgs(args, "c1", undefined)).toEqual({ canary: "c1" });
  });

  it("resolves Baseline to the baseline revision when one runs, else to stable", () => {
    const args = [{ name: "compared", valueFrom: { podTemplateHashValue: "Baseline" as const } }];
    expect(resolveArgs(args, "c1", "s1", "s1-baseline")).toEqual({ compared: "s1-baseline" });
    expect(resolveArgs(args, "c1", "s1")).toEqual({ compared: "s1" });
    expect(resolveArgs(args, "c1", undefined)).toEqual({});
  });
});
