import { describe, expect, it } from "vitest";
import { summarizeValue } from "./value-summary.js";

describe("summarizeValue", () => {
  const builtin = JSON.stringify({ canary: { successRate: 0.851234, p95: 2412.5 }, stable: { successRate: 1 } });
  it.each([
    { cond: "result.canary.successRate >= 0.99", value: builtin, want: "result.canary.successRate=0.8512" },
    {
      cond: "result.canary.successRate - result.stable.successRate > -0.01",
      value: builtin,
      want: "result.canary.successRate=0.8512, result.stable.successRate=1",
    },
    { cond: "result[0] < 0.5", value: "[0.25,0.75]", want: "result[0]=0.25" },
    { cond: "result >= 0.99", value: "0.99731", want: "0.9973" },
    { cond: "result.missing > 1", value: builtin, want: "result.missing=missing" },
    { cond: undefined, value: "true", want: "true" },
  ])("$cond on $value", ({ cond, value, want }) => {
    expect(summarizeValue({ successCondition: cond }, value)).toBe(want);
  });

  it("says none when there is no value, and clips long text", () => {
    expect(summarizeValue({}, undefined)).toBe("none");
    expect(summarizeValue({}, JSON.stringify("x".repeat(500))).length).toBe(200);
  });
});
