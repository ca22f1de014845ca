import { describe, expect, it } from "vitest";
import { ChangeWindow, Pipeline, PipelineSpec, RecordEntry, ScheduleRange, stageAfter } from "./pipeline.js";

const messages = (
  schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } },
  v: unknown,
) => schema.safeParse(v).error?.issues.map((i) => i.message) ?? [];

describe("Pipeline", () => {
  it("parses a three-stage pipeline with defaults", () => {
    const p = Pipeline.parse({
      apiVersion: "sluice.dev/v1alpha1",
      kind: "Pipeline",
      metadata: { name: "shop" },
      spec: {
        stages: [
          { name: "canary", rollout: "shop-canary" },
          { name: "staging", rollout: "shop-staging", soak: "30m" },
          { name: "production", rollout: "shop-prod", approval: { from: { roles: ["approver"] } } },
        ],
      },
    });
    expect(p.spec.onFailure).toBe("leave");
    expect(p.spec.stages[2]?.approval).toEqual({
      required: 1,
      from: { roles: ["approver"] },
      timeout: "24h",
      onTimeout: "wait",
    });
    expect(p.spec.stages[0]?.autoPromote).toBe(true);
    expect([0, 1, 2].map((i) => stageAfter(p.spec, i))).toEqual([[], ["canary"], ["staging"]]);
  });

  it("bounds lists, numbers and durations", () => {
    const stage = { name: "a", rollout: "r" };
    expect(messages(PipelineSpec, { stages: [] })).toHaveLength(1);
    expect(messages(PipelineSpec, { stages: Array.from({ length: 21 }, () => stage) })).toHaveLength(1);
    expect(messages(PipelineSpec, { stages: [{ ...stage, soak: "91d" }] })).toHaveLength(1);
    expect(messages(PipelineSpec, { stages: [{ ...stage, soak: "2161h" }] })).toEqual([
      "must be at most 90 days (2160h)",
    ]);
    expect(messages(PipelineSpec, { stages: [{ ...stage, soak: `${"1".repeat(400)}h` }] })).toHaveLength(1);
    expect(messages(PipelineSpec, { stages: [{ ...stage, approval: { required: 21 } }] })).toHaveLength(1);
    expect(messages(PipelineSpec, { stages: [{ ...stage, approval: { timeout: 0 } }] })).toEqual([
      "must be at least 1s",
    ]);
    expect(messages(PipelineSpec, { stages: [{ ...stage, name: "x".repeat(41) }] })).toHaveLength(1);
  });
});

describe("ChangeWindow and ScheduleRange", () => {
  it("accepts daily ranges and week spans", () => {
    expect(ScheduleRange.safeParse({ days: "Mon-Fri", from: "09:00", to: "17:00" }).success).toBe(true);
    expect(ScheduleRange.safeParse({ from: "Fri 16:00", to: "Mon 08:00" }).success).toBe(true);
    expect(ScheduleRange.safeParse({ from: "22:00", to: "24:00" }).success).toBe(true);
  });

  it("explains what is wrong with a range", () => {
    expect(messages(ScheduleRange, { from: "Fri 16:00", to: "08:00" })).toEqual([
      "give a day in both from and to, or in neither",
    ]);
    expect(messages(ScheduleRange, { days: "Mon", from: "Fri 16:00", to: "Mon 08:00" })).toEqual([
      "days is for daily ranges; from and to name days",
    ]);
    expect(messages(ScheduleRange, { from: "24:00", to: "01:00" })).toEqual(["from cannot be 24:00; use 00:00"]);
    expect(messages(ScheduleRange, { from: "10:00", to: "10:00" })).toEqual(["from and to are equal: empty range"]);
    expect(messages(ScheduleRange, { from: "9:00", to: "10:00" })).toEqual([
      'use "HH:MM" or "Day HH:MM", like "16:00" or "Fri 16:00"',
    ]);
    expect(messages(ScheduleRange, { days: "Monday", from: "09:00", to: "10:00" })).toHaveLength(1);
  });

  it("rejects an unknown time zone", () => {
    expect(messages(ChangeWindow, { timeZone: "Europe/Atlantis" })).toEqual([
      'unknown time zone; use an IANA name like "Europe/Berlin" or "UTC"',
    ]);
    expect(ChangeWindow.parse({ timeZone: "America/New_York" }).deny).toEqual([]);
  });
});

describe("RecordEntry", () => {
  it("needs a time with an offset and bounds the reason", () => {
    const entry = { time: "2025-03-03T10:00:00Z", pipeline: "shop", release: "v1", type: "Approved", actor: "alice" };
    expect(RecordEntry.parse(entry).reason).toBe("");
    expect(RecordEntry.safeParse({ ...entry, time: "yesterday" }).success).toBe(false);
    expect(RecordEntry.safeParse({ ...entry, reason: "x".repeat(1025) }).success).toBe(false);
    expect(RecordEntry.safeParse({ ...entry, type: "Forged" }).success).toBe(false);
  });
});
