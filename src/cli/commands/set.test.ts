import { describe, expect, it } from "vitest";
import { parseEnvAssignments, parseImageAssignments } from "./set.js";

describe("parseEnvAssignments", () => {
  it("sets, keeps '=' in values, and removes with KEY-", () => {
    expect(parseEnvAssignments(["A=1", "B=x=y", "C-"])).toEqual({ A: "1", B: "x=y", C: null });
  });
  it("rejects anything else with an example", () => {
    expect(() => parseEnvAssignments(["NOPE"])).toThrow(/KEY=VALUE or KEY-; e.g. sluice set env/);
  });
});

describe("parseImageAssignments", () => {
  it("maps CONTAINER=IMAGE, keeping registries with ports", () => {
    expect(parseImageAssignments(["app=localhost:5000/web:2", "proxy=envoy:1.30"])).toEqual({
      app: "localhost:5000/web:2",
      proxy: "envoy:1.30",
    });
  });
  it.each(["app", "=web:2", "app="])("rejects %j with an example", (a) => {
    expect(() => parseImageAssignments([a])).toThrow(/CONTAINER=IMAGE; e.g. sluice set image/);
  });
});
