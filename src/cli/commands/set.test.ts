import { describe, expect, it } from "vitest";
import { parseEnvAssignments } from "./set.js";

describe("parseEnvAssignments", () => {
  it("sets, keeps '=' in values, and removes with KEY-", () => {
    expect(parseEnvAssignments(["A=1", "B=x=y", "C-"])).toEqual({ A: "1", B: "x=y", C: null });
  });
  it("rejects anything else with an example", () => {
    expect(() => parseEnvAssignments(["NOPE"])).toThrow(/KEY=VALUE or KEY-; e.g. sluice set env/);
  });
});
